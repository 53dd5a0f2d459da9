"""IAM: the patch of moto 5.2.1's IAM (see README "The emulator's gaps", row 1)."""

import os


def iam_has_aws_managed_policies() -> None:
    """AWS managed policies exist in every account.

    AWS: `arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`
    and the other AWS managed policies can be attached without creating them.
    moto only loads its copy of them when MOTO_IAM_LOAD_MANAGED_POLICIES=true
    (https://github.com/getmoto/moto/blob/5.2.1/moto/settings.py#L203),
    otherwise AttachRolePolicy answers NoSuchEntity.
    This is moto's own documented setting; an explicit value is kept.
    """
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
