"""ECS: the patches of moto 5.2.1's ECS services and capacity providers (README rows 2-4)."""

from typing import Any, Callable

from .wrap import wrap


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

    wrap(Service, "__init__", make)


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

    wrap(EC2ContainerServiceResponse, "create_service", make)


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

    wrap(EC2ContainerServiceBackend, "describe_capacity_providers", make)
