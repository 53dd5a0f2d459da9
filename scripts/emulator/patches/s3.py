"""S3: the patch that lets moto 5.2.1 delete the last versions of a key that has a delete marker."""


def s3_delete_marker_can_be_disposed() -> None:
    """Deleting a version of a key whose versions include a delete marker works.

    AWS: DELETE /{key}?versionId=... removes that version, and a bucket whose
    versions and delete markers are all removed can be deleted
    (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html).
    moto 5.2.1 disposes of every version of the key when it drops the key's
    last entry (`_VersionedKeyStore.pop`,
    https://github.com/getmoto/moto/blob/5.2.1/moto/s3/utils.py#L129), and
    `FakeDeleteMarker` has no `dispose`, so the request answers 500 and
    `terraform destroy` of a versioned bucket with `force_destroy` (the DNS
    agent's artifacts bucket) retries until it times out. A delete marker
    holds no data: disposing of it is nothing.
    """
    from moto.s3.models import FakeDeleteMarker

    if hasattr(FakeDeleteMarker, "dispose"):
        return

    def dispose(self: FakeDeleteMarker, garbage: bool = False) -> None:  # noqa: ARG001 (moto's signature)
        return None

    FakeDeleteMarker.dispose = dispose  # type: ignore[attr-defined]
