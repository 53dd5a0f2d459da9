"""EC2: the patches of moto 5.2.1's launch templates and security group rules (README row 6)."""

from typing import Any, Callable

from .wrap import wrap


def launch_template_tags_stay_off_its_data() -> None:
    """CreateLaunchTemplate's own tags do not become part of the template data.

    AWS: the request's top-level TagSpecifications (resource type
    `launch-template`) tag the launch template itself; DescribeLaunchTemplateVersions
    returns LaunchTemplateData.TagSpecifications only as the request's
    LaunchTemplateData gave them (tags for the instances and volumes it launches).
    moto appends the template's own tags to the version data
    (https://github.com/getmoto/moto/blob/5.2.1/moto/ec2/responses/launch_templates.py#L34,
    since https://github.com/getmoto/moto/pull/5381), so with the provider's
    default_tags every later plan wants to remove a `tag_specifications` block.
    """
    from moto.ec2.responses.launch_templates import LaunchTemplates

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def create_launch_template(self: Any) -> Any:
            # moto extends the request's list in place: keep a copy.
            requested = list(self._get_param("LaunchTemplateData.TagSpecifications") or [])
            result = original(self)
            template_id = result.result["LaunchTemplate"]["LaunchTemplateId"]
            data = self.ec2_backend.get_launch_template(template_id).versions[0].data
            if requested:
                data["TagSpecifications"] = requested
            else:
                data.pop("TagSpecifications", None)
            return result

        return create_launch_template

    wrap(LaunchTemplates, "create_launch_template", make)


def security_group_rule_keeps_group_pair_description() -> None:
    """A rule that references a security group keeps its description.

    AWS: the description of a rule whose source or destination is another
    security group is the group pair's `Description`, and
    DescribeSecurityGroupRules answers it
    (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SecurityGroupRule.html).
    moto stores it on the group pair but describes only the CIDR range's
    (https://github.com/getmoto/moto/blob/5.2.1/moto/ec2/models/security_groups.py#L94),
    so every plan re-adds the description of aws_vpc_security_group_*_rule
    resources with referenced_security_group_id.
    """
    from moto.ec2.models.security_groups import SecurityGroupRule

    original = SecurityGroupRule.description
    if getattr(original, "_moto_patch", False):
        return

    def description(self: Any) -> Any:
        return self.ip_range.get("Description") or (self.source_group or {}).get("Description")

    patched = property(description)
    patched.fget._moto_patch = True  # type: ignore[union-attr]
    SecurityGroupRule.description = patched  # type: ignore[method-assign]
