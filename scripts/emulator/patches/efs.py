"""EFS: the patch that adds DeleteFileSystemPolicy to moto 5.2.1."""

from typing import Any


def efs_file_system_policy_can_be_deleted() -> None:
    """DeleteFileSystemPolicy exists.

    AWS: DELETE /2015-02-01/file-systems/{id}/policy removes the policy, after
    which DescribeFileSystemPolicy answers PolicyNotFound
    (https://docs.aws.amazon.com/efs/latest/ug/API_DeleteFileSystemPolicy.html).
    moto 5.2.1 implements Put and Describe but not Delete
    (https://github.com/getmoto/moto/blob/5.2.1/moto/efs/responses.py#L201),
    so `terraform destroy` of an aws_efs_file_system_policy waits forever for
    the policy to go.
    """
    from moto.efs.exceptions import FileSystemNotFound
    from moto.efs.models import EFSBackend
    from moto.efs.responses import EFSResponse

    if hasattr(EFSResponse, "delete_file_system_policy"):
        return

    def delete_policy(self: Any, file_system_id: str) -> None:
        if file_system_id not in self.file_systems_by_id:
            raise FileSystemNotFound(file_system_id)
        self.file_systems_by_id[file_system_id].file_system_policy = None

    def delete_file_system_policy(self: Any) -> Any:
        self.efs_backend.delete_file_system_policy(self._get_param("FileSystemId"))
        return "{}", {"Content-Type": "application/json"}

    EFSBackend.delete_file_system_policy = delete_policy  # type: ignore[attr-defined]
    EFSResponse.delete_file_system_policy = delete_file_system_policy  # type: ignore[attr-defined]
