"""Route53: the patches of moto 5.2.1's hosted zones and record sets (README rows 5, 7-11, 13)."""

from typing import Any, Callable

from .wrap import wrap


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

    wrap(Route53, "create_hosted_zone", make)


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

    wrap(Route53Backend, "change_resource_record_sets", make)


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

    wrap(Route53Backend, "change_resource_record_sets", make)


def _route53_routing_policy(record_set: Any) -> str:
    """The routing policy a stored record set's fields give it."""
    if record_set.weight is not None:
        return "weighted"
    if record_set.region:
        return "latency"
    if record_set.failover:
        return "failover"
    if record_set.geo_location:
        return "geolocation"
    if record_set.multi_value_answer:
        return "multivalue"
    return "other" if record_set.set_identifier else "simple"


def route53_names_keep_one_routing_policy() -> None:
    """A name holds a CNAME alone, and each of its types one routing policy.

    AWS: "You can't create non-weighted records that have the same values for
    the Name and Type elements as weighted records" (likewise latency,
    failover, geolocation, multivalue:
    https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html),
    and "if you create a CNAME record for a subdomain, you cannot create any
    other resource record sets for that subdomain"
    (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/ResourceRecordTypes.html#CNAMEFormat):
    InvalidChangeBatch. moto stores whatever it is sent
    (https://github.com/getmoto/moto/blob/5.2.1/moto/route53/models.py#L720),
    so a multivalue A record set joins a simple one, or a CNAME, at the same
    name. Here the names a batch touched are checked once it is applied; a
    problem fails the batch, which route53_change_batch_is_all_or_nothing
    then rolls back. The DNS agent relies on it: it writes a name it has not
    read and learns of another owner's record there from the refusal.
    """
    from moto.route53.models import Route53Backend

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def change_resource_record_sets(self: Any, zoneid: str, change_list: list[dict[str, Any]]) -> Any:
            result = original(self, zoneid, change_list)
            zone = self.get_hosted_zone(zoneid)
            touched = {_route53_change_key(change)[0] for change in change_list if change.get("Action") in ("CREATE", "UPSERT")}
            problems = []
            for name in sorted(touched):
                at_name = [r for r in zone.rrsets if _route53_stored_key(r)[0] == name]
                cname = [r for r in at_name if r.type == "CNAME"]
                other = [r for r in at_name if r.type != "CNAME"]
                if cname and other:
                    problems.append(f"RRSet of type {other[0].type} with DNS name {name} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone {zone.name.rstrip('.')}.")
                by_type: dict[str, list[Any]] = {}
                for r in at_name:
                    by_type.setdefault(str(r.type), []).append(r)
                for rr_type, sets in sorted(by_type.items()):
                    policies = {_route53_routing_policy(r) for r in sets}
                    if len(policies) > 1 or ("simple" in policies and len(sets) > 1):
                        problems.append(f"RRSet with DNS name {name}, type {rr_type} cannot be created as other RRSets exist with the same name and type.")
            if problems:
                raise _route53_invalid_change_batch(problems)
            return result

        return change_resource_record_sets

    wrap(Route53Backend, "change_resource_record_sets", make)


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

    wrap(Route53Backend, "change_resource_record_sets", make)


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

    wrap(Route53Backend, "change_resource_record_sets", make_change)
    wrap(Route53Backend, "create_hosted_zone", make_zone)


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

    wrap(Route53, "list_resource_record_sets", make)
