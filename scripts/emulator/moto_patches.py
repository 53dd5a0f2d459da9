"""Patches for moto 5.2's gaps against AWS (see README "The emulator's gaps").

Each patch is a small function that makes one moto answer the way AWS answers,
so that a Terraform deploy against the emulator succeeds and the next plan shows
no changes, and so that Route53 change batches are refused where Route53 refuses
them (the DNS agent's tests rely on that). None of them touches what the stacks
or the agent send: the requests are the ones sent to AWS.
"""

import functools
import os
from typing import Any, Callable

# ECS CreateService request members that moto 5.2 reads nowhere, with the
# attribute name under which moto's serializer finds them again (it looks for the
# snake_case form of every member of the response shape). UpdateService already
# stores its parameters under these names (moto/ecs/models.py, update_service).
ECS_SERVICE_SETTINGS = {
    "availabilityZoneRebalancing": "availability_zone_rebalancing",
    "capacityProviderStrategy": "capacity_provider_strategy",
    "deploymentConfiguration": "deployment_configuration",
    "enableECSManagedTags": "enable_ecs_managed_tags",
    "enableExecuteCommand": "enable_execute_command",
    "healthCheckGracePeriodSeconds": "health_check_grace_period_seconds",
    "placementConstraints": "placement_constraints",
    "placementStrategy": "placement_strategy",
}


def _wrap(owner: Any, name: str, make: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Replace owner.name by make(original), once per patch (apply() is idempotent).

    Several patches may wrap the same method (each adds one Route53 rule to
    ChangeResourceRecordSets); each wrapper remembers which patches are below
    it, keyed by the patch's `make` function.
    """
    original = getattr(owner, name)
    key = make.__qualname__
    applied = getattr(original, "_moto_patches", frozenset())
    if key in applied:
        return
    patched = functools.wraps(original)(make(original))
    patched._moto_patch = True  # type: ignore[attr-defined]
    patched._moto_patches = applied | {key}  # type: ignore[attr-defined]
    setattr(owner, name, patched)


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


def ecs_service_without_network_configuration() -> None:
    """DescribeServices has no networkConfiguration for a bridge-mode service.

    AWS: networkConfiguration is returned only when the service has one (awsvpc
    network mode). moto stores `{}` when the request has none
    (https://github.com/getmoto/moto/blob/5.2.1/moto/ecs/models.py#L563, added by
    https://github.com/getmoto/moto/pull/8318 for
    https://github.com/getmoto/moto/issues/8258) and its serializer drops only
    None, so it answers `networkConfiguration: {}`. aws provider 5.100.0 then
    dereferences the missing awsvpcConfiguration and crashes
    (internal/service/ecs/service.go, flattenNetworkConfiguration).
    """
    from moto.ecs.models import Service

    def make(original: Callable[..., None]) -> Callable[..., None]:
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            if not self.network_configuration:
                self.network_configuration = None

        return __init__

    _wrap(Service, "__init__", make)


def ecs_service_keeps_its_settings() -> None:
    """DescribeServices returns the settings CreateService was given.

    AWS: a service created with a capacity provider strategy, a deployment
    configuration (percentages, circuit breaker), placement strategy and
    constraints, availabilityZoneRebalancing, a health check grace period,
    enableECSManagedTags or enableExecuteCommand describes them back
    (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html).
    moto's CreateService handler reads none of these
    (https://github.com/getmoto/moto/blob/5.2.1/moto/ecs/responses.py#L286),
    so every later plan wants to change them, and the capacity provider
    strategy forces a replacement of the service.
    """
    from moto.ecs.responses import EC2ContainerServiceResponse

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def create_service(self: Any) -> Any:
            result = original(self)
            service = result.result["service"]
            for member, attribute in ECS_SERVICE_SETTINGS.items():
                value = self._get_param(member)
                if value is not None:
                    setattr(service, attribute, value)
            return result

        return create_service

    _wrap(EC2ContainerServiceResponse, "create_service", make)


def route53_zone_with_vpc_is_private() -> None:
    """CreateHostedZone with a VPC creates a private hosted zone.

    AWS: a zone is private because the request names a VPC
    (https://docs.aws.amazon.com/Route53/latest/APIReference/API_CreateHostedZone.html);
    HostedZoneConfig.PrivateZone is what the response reports, and neither the
    AWS SDKs' callers nor aws provider 5.100.0 send it. moto reads only that flag
    and ignores the VPC without it
    (https://github.com/getmoto/moto/blob/5.2.1/moto/route53/responses.py#L24;
    compare https://github.com/getmoto/moto/issues/5163), so the zone comes back public
    and without VPCs, and every later plan wants to add the `vpc` (an update
    AWS refuses for a public zone).
    """
    from moto.route53.responses import Route53

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def create_hosted_zone(self: Any) -> Any:
            if self._get_param("VPC.VPCId"):
                config = self.params.setdefault("HostedZoneConfig", {})
                config["PrivateZone"] = True
            return original(self)

        return create_hosted_zone

    _wrap(Route53, "create_hosted_zone", make)


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

    _wrap(LaunchTemplates, "create_launch_template", make)


def ecs_describe_capacity_providers_lists_all() -> None:
    """DescribeCapacityProviders without names lists every capacity provider.

    AWS: `capacityProviders` is optional; without it the call describes all of
    the account's capacity providers
    (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeCapacityProviders.html).
    moto iterates over the missing list and answers 500
    (https://github.com/getmoto/moto/blob/5.2.1/moto/ecs/models.py#L1044).
    Terraform does not call it so, but a check that nothing is left after
    `destroy` does.
    """
    from moto.ecs.models import EC2ContainerServiceBackend

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def describe_capacity_providers(self: Any, names: Any) -> Any:
            return original(self, names if names is not None else list(self.capacity_providers))

        return describe_capacity_providers

    _wrap(EC2ContainerServiceBackend, "describe_capacity_providers", make)


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


# --- Route53 record sets: as strict as Route53 where the DNS agent relies on it.
#
# moto 5.2.1 applies a change batch one change at a time
# (https://github.com/getmoto/moto/blob/5.2.1/moto/route53/models.py#L692) and
# checks CREATE and DELETE against a log of past changes instead of the zone.
# The patches below validate a batch against the record sets the zone holds
# now, identified as Route53 identifies them: name (case-insensitive), type
# and set identifier.


def _route53_key(name: str, rr_type: Any, set_identifier: Any) -> tuple[str, str, str]:
    """A record set's identity in a zone: (name, type, set identifier)."""
    return (name.lower().rstrip(".") + ".", str(rr_type), set_identifier or "")


def _route53_describe(key: tuple[str, str, str]) -> str:
    """Route53's way of naming a record set in InvalidChangeBatch messages."""
    name, rr_type, set_identifier = key
    identifier = f", set-identifier='{set_identifier}'" if set_identifier else ""
    return f"[name='{name}', type='{rr_type}'{identifier}]"


def _route53_invalid_change_batch(messages: list[str]) -> Exception:
    """InvalidChangeBatch as Route53 answers it: every problem of the batch, in `messages`."""
    from moto.route53.exceptions import Route53ClientError

    error = Route53ClientError("InvalidChangeBatch", f"[{', '.join(messages)}]")
    error.messages = messages  # type: ignore[attr-defined]  # serialized as <messages><Message>
    return error


def _route53_change_key(change: dict[str, Any]) -> tuple[str, str, str]:
    rrset = change["ResourceRecordSet"]
    return _route53_key(rrset["Name"], rrset.get("Type"), rrset.get("SetIdentifier"))


def _route53_stored_key(record_set: Any) -> tuple[str, str, str]:
    return _route53_key(record_set.name, record_set.type, record_set.set_identifier)


def _route53_replay(zone: Any, changes: list[dict[str, Any]]) -> list[tuple[dict[str, Any], Any]]:
    """Each change with the record set its key names at that point of the batch (or None).

    Route53 validates a batch in order against the zone as the earlier changes
    of the same batch leave it (a DELETE then a CREATE of one record set is
    how a routing policy is changed).
    """
    present: dict[tuple[str, str, str], Any] = {_route53_stored_key(r): r for r in zone.rrsets}
    seen = []
    for change in changes:
        key = _route53_change_key(change)
        seen.append((change, present.get(key)))
        if change.get("Action") == "DELETE":
            present.pop(key, None)
        elif change.get("Action") in ("CREATE", "UPSERT"):
            present[key] = change["ResourceRecordSet"]
    return seen


def _route53_same_record_set(stored: Any, requested: dict[str, Any]) -> bool:
    """True when a DELETE repeats the record set exactly: TTL, values and routing."""
    if isinstance(stored, dict):  # an earlier CREATE/UPSERT of the same batch
        stored_values = [v["Value"] for v in stored.get("ResourceRecords") or []]
        stored_fields = {k: stored.get(k) for k in _ROUTE53_ROUTING_FIELDS.values()}
        stored_ttl, alias = stored.get("TTL"), stored.get("AliasTarget")
    else:
        # moto keeps values as strings, except for the SOA record it creates itself.
        stored_values = [v["Value"] if isinstance(v, dict) else v for v in stored.records or []]
        stored_fields = {member: getattr(stored, attribute) for attribute, member in _ROUTE53_ROUTING_FIELDS.items()}
        stored_ttl, alias = stored.ttl, stored.alias_target
    requested_values = [v["Value"] for v in requested.get("ResourceRecords") or []]
    if sorted(stored_values) != sorted(requested_values):
        return False
    if not alias and int(stored_ttl or 0) != int(requested.get("TTL") or 0):
        return False
    if _route53_alias(alias) != _route53_alias(requested.get("AliasTarget")):
        return False
    for member, value in stored_fields.items():
        wanted = requested.get(member)
        if member == "MultiValueAnswer":
            value, wanted = bool(value), bool(wanted)
        if value != wanted:
            return False
    return True


def _route53_alias(target: Any) -> Any:
    """An alias target as Route53 compares it: DNS names are case-insensitive, the trailing dot optional."""
    if not target:
        return None
    return (target.get("HostedZoneId"), str(target.get("DNSName", "")).lower().rstrip("."), bool(target.get("EvaluateTargetHealth")))


# RecordSet attribute -> ResourceRecordSet member, for the routing fields moto keeps.
_ROUTE53_ROUTING_FIELDS = {
    "weight": "Weight",
    "region": "Region",
    "failover": "Failover",
    "geo_location": "GeoLocation",
    "multi_value_answer": "MultiValueAnswer",
    "health_check_id": "HealthCheckId",
}


def route53_delete_must_match_exactly() -> None:
    """A DELETE removes the one record set it names, and only when it matches exactly.

    AWS: "To delete a resource record set, you must specify all the same values
    that you specified when you created it"
    (https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html);
    a record set is identified by name, type and set identifier, and Route53
    answers InvalidChangeBatch "Tried to delete resource record set [name=...,
    type=..., set-identifier=...] but it was not found" or "... but the values
    provided do not match the current values".
    moto checks a DELETE against its log of past CREATE/UPSERT changes, not the
    zone (https://github.com/getmoto/moto/blob/5.2.1/moto/route53/models.py#L711),
    ignoring the set identifier and answering InvalidInput, and a DELETE with
    a SetIdentifier removes every record set carrying that identifier,
    whatever its name and type
    (https://github.com/getmoto/moto/blob/5.2.1/moto/route53/models.py#L751).
    Here DELETEs are checked against the zone and remove exactly their record
    set; the other changes still go through moto's own code, in batch order.
    """
    from moto.route53.models import Route53Backend

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def change_resource_record_sets(self: Any, zoneid: str, change_list: list[dict[str, Any]]) -> Any:
            zone = self.get_hosted_zone(zoneid)
            problems = []
            for change, current in _route53_replay(zone, change_list):
                if change.get("Action") != "DELETE":
                    continue
                label = _route53_describe(_route53_change_key(change))
                if current is None:
                    problems.append(f"Tried to delete resource record set {label} but it was not found")
                elif not _route53_same_record_set(current, change["ResourceRecordSet"]):
                    problems.append(f"Tried to delete resource record set {label} but the values provided do not match the current values")
            if problems:
                raise _route53_invalid_change_batch(problems)
            pending: list[dict[str, Any]] = []
            for change in change_list:
                if change.get("Action") != "DELETE":
                    pending.append(change)
                    continue
                if pending:
                    original(self, zoneid, pending)
                    pending = []
                key = _route53_change_key(change)
                zone.rrsets = [r for r in zone.rrsets if _route53_stored_key(r) != key]
            if pending:
                original(self, zoneid, pending)

        return change_resource_record_sets

    _wrap(Route53Backend, "change_resource_record_sets", make)


def route53_create_of_an_existing_record_set_fails() -> None:
    """CREATE of a record set that exists fails.

    AWS: CREATE "returns an error if a resource record set with the same name,
    type and set identifier already exists"
    (https://docs.aws.amazon.com/Route53/latest/APIReference/API_Change.html):
    InvalidChangeBatch "Tried to create resource record set [name=..., type=...]
    but it already exists".
    moto refuses only a CREATE identical to one in its change log
    (https://github.com/getmoto/moto/blob/5.2.1/moto/route53/models.py#L701):
    the same record set with another TTL or value is added a second time, and
    re-creating a record set that was deleted fails if any record set sorts
    after it. Here CREATE is checked against the zone, and moto's log-based
    check sees an empty log.
    """
    from moto.route53.models import ChangeList, Route53Backend

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def change_resource_record_sets(self: Any, zoneid: str, change_list: list[dict[str, Any]]) -> Any:
            zone = self.get_hosted_zone(zoneid)
            problems = [
                f"Tried to create resource record set {_route53_describe(_route53_change_key(change))} but it already exists"
                for change, current in _route53_replay(zone, change_list)
                if change.get("Action") == "CREATE" and current is not None
            ]
            if problems:
                raise _route53_invalid_change_batch(problems)
            log, zone.rr_changes = zone.rr_changes, ChangeList()
            try:
                return original(self, zoneid, change_list)
            finally:
                for change in zone.rr_changes:
                    log.append(change)
                zone.rr_changes = log

        return change_resource_record_sets

    _wrap(Route53Backend, "change_resource_record_sets", make)


def route53_change_batch_is_all_or_nothing() -> None:
    """A change batch is applied entirely or not at all.

    AWS: "Change batches are considered transactional changes. ... if any
    change in the batch fails, Route 53 rolls back the entire batch"
    (https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html).
    moto applies changes one by one and raises at the first bad one
    (https://github.com/getmoto/moto/blob/5.2.1/moto/route53/models.py#L720),
    leaving the changes before it applied. Here the zone's record sets are
    restored when the batch fails.
    """
    from moto.route53.models import ChangeList, Route53Backend

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def change_resource_record_sets(self: Any, zoneid: str, change_list: list[dict[str, Any]]) -> Any:
            zone = self.get_hosted_zone(zoneid)
            # moto replaces RecordSet objects (upsert) rather than changing them: a shallow copy is a snapshot.
            record_sets, log = list(zone.rrsets), ChangeList(zone.rr_changes)
            try:
                return original(self, zoneid, change_list)
            except Exception:
                zone.rrsets, zone.rr_changes = record_sets, log
                raise

        return change_resource_record_sets

    _wrap(Route53Backend, "change_resource_record_sets", make)


def route53_names_are_stored_in_lower_case() -> None:
    """Record and zone names are case-insensitive and stored in lower case.

    AWS: "Amazon Route 53 stores alphabetic characters as lowercase letters
    (a-z), regardless of how you specify them"
    (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html),
    so `Web.Example.com` and `web.example.com` are one record set.
    moto stores and compares names as sent
    (https://github.com/getmoto/moto/blob/5.2.1/moto/route53/models.py#L729).
    Here names are lower-cased before moto sees them.
    """
    from moto.route53.models import Route53Backend

    def make_change(original: Callable[..., Any]) -> Callable[..., Any]:
        def change_resource_record_sets(self: Any, zoneid: str, change_list: list[dict[str, Any]]) -> Any:
            for change in change_list:
                rrset = change.get("ResourceRecordSet") or {}
                if isinstance(rrset.get("Name"), str):
                    rrset["Name"] = rrset["Name"].lower()
            return original(self, zoneid, change_list)

        return change_resource_record_sets

    def make_zone(original: Callable[..., Any]) -> Callable[..., Any]:
        def create_hosted_zone(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
            return original(self, name.lower(), *args, **kwargs)

        return create_hosted_zone

    _wrap(Route53Backend, "change_resource_record_sets", make_change)
    _wrap(Route53Backend, "create_hosted_zone", make_zone)


def route53_list_pages_by_name_type_and_identifier() -> None:
    """ListResourceRecordSets pages through record sets that share a name and type.

    AWS: results are sorted by name (labels reversed) and type; a truncated
    page names the next record set with NextRecordName, NextRecordType and,
    for record sets with a routing policy, NextRecordIdentifier, which the next
    request passes as StartRecordIdentifier; MaxItems above 300 returns 300
    (https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListResourceRecordSets.html).
    moto ignores StartRecordIdentifier, never returns NextRecordIdentifier
    ("The StartRecordIdentifier-parameter is not yet implemented",
    https://github.com/getmoto/moto/blob/5.2.1/moto/route53/models.py#L679)
    and returns as many as MaxItems asks
    (https://github.com/getmoto/moto/blob/5.2.1/moto/route53/responses.py#L193),
    so a client following the pages of 100 SRV record sets of one name loops
    or misses some. Here record sets are ordered by name, type and set
    identifier (as the agent's in-memory fake orders them) and paged on all three.
    """
    from moto.core.responses import ActionResult
    from moto.route53.exceptions import InvalidInput
    from moto.route53.models import reverse_domain_name
    from moto.route53.responses import Route53
    from moto.route53.utils import validate_domain_name

    def order(name: str, rr_type: str, set_identifier: str) -> tuple[str, str, str]:
        return (reverse_domain_name(name.lower()), rr_type, set_identifier)

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def list_resource_record_sets(self: Any) -> Any:
            start_name = self._get_param("StartRecordName")
            start_type = self._get_param("StartRecordType")
            start_identifier = self._get_param("StartRecordIdentifier")
            max_items = min(max(self._get_int_param("MaxItems", 300), 1), 300)
            if (start_type and not start_name) or (start_identifier and not start_type):
                raise InvalidInput("The input is not valid")
            if start_name:
                validate_domain_name(start_name)
            zone = self.backend.get_hosted_zone(self._get_param("HostedZoneId"))
            ordered = sorted(zone.rrsets, key=lambda r: order(r.name, r.type, r.set_identifier or ""))
            start = order(start_name or "", start_type or "", start_identifier or "")
            remaining = [r for r in ordered if not start_name or order(r.name, r.type, r.set_identifier or "") >= start]
            page, rest = remaining[:max_items], remaining[max_items:]
            following = rest[0] if rest else None
            result = {
                "ResourceRecordSets": page,
                "IsTruncated": following is not None,
                "NextRecordName": following.name if following else None,
                "NextRecordType": following.type if following else None,
                "NextRecordIdentifier": following.set_identifier if following else None,
                "MaxItems": max_items,
            }
            return ActionResult(result)

        return list_resource_record_sets

    _wrap(Route53, "list_resource_record_sets", make)


def elbv2_targets_are_keyed_by_id_and_port() -> None:
    """A target group holds one target per instance id and port.

    AWS: an instance can be registered with the same target group several
    times on different ports; ECS does so for every task of a service with
    dynamic host ports on one instance, and DeregisterTargets removes the one
    (id, port) it names. moto keys targets by id alone
    (https://github.com/getmoto/moto/blob/5.2.1/moto/elbv2/models.py#L193),
    so a second task's registration replaced the first's and
    DescribeTargetHealth listed one target where ECS registered two.
    """
    from moto.elbv2.exceptions import InvalidTargetError, TargetNotRunning
    from moto.elbv2.models import FakeHealthStatus, FakeTargetGroup

    def key(group: Any, target: dict[str, Any]) -> tuple[str, int]:
        return (target["Id"], int(target.get("Port") or group.port))

    def register(self: Any, targets: list[dict[str, Any]]) -> None:
        for target in targets:
            instance = self.ec2_backend.get_instance_by_id(target["Id"])
            if instance and instance.state != "running":
                raise TargetNotRunning(instance_id=target["Id"])
            k = key(self, target)
            self.targets[k] = {"Id": target["Id"], "Port": k[1]}
            self.deregistered_targets.pop(k, None)

    def deregister(self: Any, targets: list[dict[str, Any]]) -> None:
        for target in targets:
            k = key(self, target)
            if k not in self.targets:
                raise InvalidTargetError()
            self.deregistered_targets[k] = self.targets.pop(k)

    def deregister_terminated_instances(self: Any, instance_ids: list[str]) -> None:
        for k in [k for k in self.targets if k[0] in instance_ids]:
            self.terminated_targets[k] = self.targets.pop(k)

    def health_for(self: Any, target: dict[str, Any], ec2_backend: Any) -> Any:
        k = key(self, target)
        status = functools.partial(FakeHealthStatus, k[0], k[1], self.health_check_port)
        if k not in self.targets:
            if k in self.deregistered_targets:
                return status("unused", "Target.NotRegistered", "Target is not registered to the target group")
            if k in self.terminated_targets:
                return status("draining", "Target.DeregistrationInProgress", "Target deregistration is in progress")
            return status("unused", "Target.NotRegistered", "Target is not registered to the target group")
        instance = ec2_backend.get_instance_by_id(k[0]) if k[0].startswith("i-") else None
        if instance and instance.state == "stopped":
            return status("unused", "Target.InvalidState", "Target is in the stopped state")
        return status("healthy")

    for name, method in (
        ("register", register),
        ("deregister", deregister),
        ("deregister_terminated_instances", deregister_terminated_instances),
        ("health_for", health_for),
    ):
        _wrap(FakeTargetGroup, name, lambda _original, method=method: method)


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
    # Route53 change batches: applied innermost first; names are lower-cased
    # before every check, and the batch is rolled back whatever check fails.
    route53_delete_must_match_exactly,
    route53_create_of_an_existing_record_set_fails,
    route53_change_batch_is_all_or_nothing,
    route53_names_are_stored_in_lower_case,
    route53_list_pages_by_name_type_and_identifier,
)


def apply() -> None:
    """Apply every patch. Each is idempotent."""
    for patch in PATCHES:
        patch()
