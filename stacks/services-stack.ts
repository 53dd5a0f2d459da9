import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { PathRoutedServices, type PathRoutedServicesProps } from "../modules/path-routed-services";
import { PlatformStack, type PlatformStackProps } from "./platform-stack";

/** Properties of {@link ServicesStack}: the services' props, less what the stack reads itself. */
export interface ServicesStackProps extends PlatformStackProps, Omit<PathRoutedServicesProps, "partition" | "accountId"> {}

/** `<env>-services`: listeners, path routing and one ECS service per container. */
export class ServicesStack extends PlatformStack {
  readonly services: PathRoutedServices;

  constructor(scope: Construct, id: string, props: ServicesStackProps) {
    super(scope, id, props);
    // "Default" is the id cdktf leaves out of resource addresses: the services'
    // resources keep the addresses they had when this stack created them itself,
    // so a deployed environment plans no change.
    this.services = new PathRoutedServices(this, "Default", { ...props, partition: this.partition, accountId: this.accountId });
    new TerraformOutput(this, "service_urls", { value: this.services.serviceUrls });
  }
}
