/**
 * Stands for @aws-sdk/client-route-53 in the jest run Stryker mutates against
 * (jest.mutation.config.js maps the package here). The DNS core's tests drive
 * Route53Provider over the in-memory Route53 and never call the SDK, but
 * route53-provider.ts imports it, and loading the SDK costs seconds in every
 * one of Stryker's test runs. Anything that does reach for it fails loudly.
 */
function notHere(name: string): never {
  throw new Error(`${name}: the AWS SDK is not loaded in the mutation test run (test/mutation/no-aws-sdk.ts); use the in-memory Route53`);
}

export class Route53Client {
  constructor() {
    notHere("Route53Client");
  }
}
export class ChangeResourceRecordSetsCommand {
  constructor() {
    notHere("ChangeResourceRecordSetsCommand");
  }
}
export class GetHostedZoneCommand {
  constructor() {
    notHere("GetHostedZoneCommand");
  }
}
export class ListResourceRecordSetsCommand {
  constructor() {
    notHere("ListResourceRecordSetsCommand");
  }
}
