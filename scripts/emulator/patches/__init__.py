"""Patches for moto 5.2's gaps against AWS (see README "The emulator's gaps").

Each patch is a small function that makes one moto answer the way AWS answers,
so that a Terraform deploy against the emulator succeeds and the next plan shows
no changes, and so that Route53 change batches are refused where Route53 refuses
them (the DNS agent's tests rely on that). None of them touches what the stacks
or the agent send: the requests are the ones sent to AWS.

One module per AWS service; each patch's docstring names the moto 5.2.1 code
it replaces (with its line) and the AWS behaviour it restores. `wrap.py` is
the one way they replace a moto method.
"""

from .applicationautoscaling import application_autoscaling_targets_have_tags
from .ec2 import launch_template_tags_stay_off_its_data, security_group_rule_keeps_group_pair_description
from .ecs import (
    ecs_describe_capacity_providers_lists_all,
    ecs_service_keeps_its_settings,
    ecs_service_without_network_configuration,
)
from .efs import efs_file_system_policy_can_be_deleted
from .elbv2 import elbv2_targets_are_keyed_by_id_and_port
from .iam import iam_has_aws_managed_policies
from .s3 import s3_delete_marker_can_be_disposed
from .route53 import (
    route53_change_batch_is_all_or_nothing,
    route53_create_of_an_existing_record_set_fails,
    route53_delete_must_match_exactly,
    route53_list_pages_by_name_type_and_identifier,
    route53_names_are_stored_in_lower_case,
    route53_names_keep_one_routing_policy,
    route53_zone_with_vpc_is_private,
)

PATCHES = (
    iam_has_aws_managed_policies,
    ecs_service_without_network_configuration,
    ecs_service_keeps_its_settings,
    ecs_describe_capacity_providers_lists_all,
    route53_zone_with_vpc_is_private,
    launch_template_tags_stay_off_its_data,
    security_group_rule_keeps_group_pair_description,
    efs_file_system_policy_can_be_deleted,
    elbv2_targets_are_keyed_by_id_and_port,
    s3_delete_marker_can_be_disposed,
    application_autoscaling_targets_have_tags,
    # Route53 change batches: applied innermost first; names are lower-cased
    # before every check, and the batch is rolled back whatever check fails.
    route53_delete_must_match_exactly,
    route53_create_of_an_existing_record_set_fails,
    route53_names_keep_one_routing_policy,
    route53_change_batch_is_all_or_nothing,
    route53_names_are_stored_in_lower_case,
    route53_list_pages_by_name_type_and_identifier,
)


def apply() -> None:
    """Apply every patch. Each is idempotent."""
    for patch in PATCHES:
        patch()
