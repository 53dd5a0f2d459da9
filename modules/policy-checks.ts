import { Annotations, TerraformDataSource, TerraformResource, TerraformStack, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import { checkPolicyRules, POLICY_RULES, type PolicyRuleId, type PolicyRuleSettings, type TerraformJson } from "./policy-rules";

/**
 * Suppressions: construct → rule → the written reason. Kept beside the tree
 * rather than in node metadata, which cdktf would write into the manifest.
 */
const suppressions = new WeakMap<IConstruct, Map<PolicyRuleId, string>>();

/**
 * Exempt `scope` (and everything under it) from one policy rule, for a
 * reason: it is printed at every synth (an INFO line from the cdktf CLI) and
 * a reason of fewer than 20 characters is refused.
 */
export function suppressPolicyRule(scope: IConstruct, rule: PolicyRuleId, reason: string): void {
  if (!(rule in POLICY_RULES)) throw new Error(`suppressPolicyRule: unknown rule ${rule}; rules: ${Object.keys(POLICY_RULES).join(", ")}`);
  if (reason.trim().length < 20) throw new Error(`suppressPolicyRule: say why ${rule} does not apply to ${scope.node.path} (at least 20 characters), got ${JSON.stringify(reason)}`);
  const own = suppressions.get(scope) ?? new Map<PolicyRuleId, string>();
  own.set(rule, reason.trim());
  suppressions.set(scope, own);
}

/** The reason `construct` or a scope above it gives for `rule`, if any. */
function suppressionOf(construct: IConstruct, rule: PolicyRuleId): { reason: string; at: IConstruct } | undefined {
  for (const scope of [construct, ...construct.node.scopes.slice().reverse()]) {
    const reason = suppressions.get(scope)?.get(rule);
    if (reason) return { reason, at: scope };
  }
  return undefined;
}

/**
 * A cdktf Aspect, added to every stack of the platform: when synth visits
 * the stack, the whole stack's Terraform JSON is checked against the rules
 * of modules/policy-rules.ts. A violation is an error annotation on its
 * resource, so synth fails listing every one; a suppressed one is an info
 * annotation with its reason, which the cdktf CLI prints.
 */
export class PolicyChecks implements IAspect {
  constructor(private readonly settings: PolicyRuleSettings = {}) {}

  visit(node: IConstruct): void {
    if (!TerraformStack.isStack(node)) return;
    const stack = node;
    const byAddress = new Map<string, IConstruct>();
    for (const child of stack.node.findAll()) {
      if (child instanceof TerraformResource || child instanceof TerraformDataSource) {
        byAddress.set(`${child.terraformResourceType}.${child.friendlyUniqueId}`, child);
      }
    }
    for (const violation of checkPolicyRules(stack.toTerraform() as TerraformJson, this.settings)) {
      const construct = byAddress.get(`${violation.type}.${violation.name}`) ?? stack;
      const suppressed = suppressionOf(construct, violation.rule);
      if (suppressed) {
        Annotations.of(construct).addInfo(`policy rule ${violation.rule} suppressed at ${suppressed.at.node.path}: ${suppressed.reason}`);
      } else {
        Annotations.of(construct).addError(
          `policy rule ${violation.rule} (${POLICY_RULES[violation.rule]}): ${violation.type} ${violation.message}. ` +
            `Fix it, or suppress it with the reason: suppressPolicyRule(construct, "${violation.rule}", "<why it does not apply>") (modules/policy-checks.ts)`,
        );
      }
    }
  }
}
