"""Application Auto Scaling: the patch that gives moto 5.2.1's scalable targets their tags."""

import json
from typing import Any

from .wrap import wrap


def application_autoscaling_targets_have_tags() -> None:
    """RegisterScalableTarget keeps its Tags; ListTagsForResource, TagResource and UntagResource exist.

    AWS: a scalable target is tagged at registration (`Tags` of
    RegisterScalableTarget) or later (TagResource, UntagResource), and
    ListTagsForResource returns its tags by the target's ARN; an ARN of no
    scalable target is a ResourceNotFoundException
    (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_ListTagsForResource.html).
    moto 5.2.1 reads no `Tags` and implements none of the three tag actions
    (https://github.com/getmoto/moto/blob/5.2.1/moto/applicationautoscaling/responses.py#L46),
    so the provider, which reads a target's tags after creating it (the
    platform's default tags), retries a 500 until its create times out.
    """
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
    from moto.core.exceptions import JsonRESTError

    if hasattr(ApplicationAutoScalingResponse, "list_tags_for_resource"):
        return

    def target_by_arn(backend: Any, arn: str) -> Any:
        # moto keeps targets as backend.targets[dimension][resource id].
        for by_resource in backend.targets.values():
            for target in by_resource.values():
                if target.arn == arn:
                    return target
        raise JsonRESTError("ResourceNotFoundException", f"No scalable target found for ARN {arn}")

    def tags_of(target: Any) -> dict[str, str]:
        if not hasattr(target, "patched_tags"):
            target.patched_tags = {}
        return target.patched_tags

    def make_register(original: Any) -> Any:
        def register(self: Any) -> str:
            body = original(self)
            target = target_by_arn(self.applicationautoscaling_backend, json.loads(body)["ScalableTargetARN"])
            # Tags name the target at its creation; registering it again (an update) keeps its tags.
            if not hasattr(target, "patched_tags"):
                target.patched_tags = dict(self._get_param("Tags") or {})
            return body

        return register

    def list_tags_for_resource(self: Any) -> str:
        target = target_by_arn(self.applicationautoscaling_backend, self._get_param("ResourceARN"))
        return json.dumps({"Tags": tags_of(target)})

    def tag_resource(self: Any) -> str:
        target = target_by_arn(self.applicationautoscaling_backend, self._get_param("ResourceARN"))
        tags_of(target).update(self._get_param("Tags") or {})
        return json.dumps({})

    def untag_resource(self: Any) -> str:
        target = target_by_arn(self.applicationautoscaling_backend, self._get_param("ResourceARN"))
        for key in self._get_param("TagKeys") or []:
            tags_of(target).pop(key, None)
        return json.dumps({})

    wrap(ApplicationAutoScalingResponse, "register_scalable_target", make_register)
    ApplicationAutoScalingResponse.list_tags_for_resource = list_tags_for_resource  # type: ignore[attr-defined]
    ApplicationAutoScalingResponse.tag_resource = tag_resource  # type: ignore[attr-defined]
    ApplicationAutoScalingResponse.untag_resource = untag_resource  # type: ignore[attr-defined]
