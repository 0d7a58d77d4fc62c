/** RBAC as the API server evaluates it: a request is allowed when one rule of the user's roles matches. */

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
}

export interface RequestAttributes {
  verb: string;
  group: string;
  /** Plural, with `/subresource` when there is one. */
  resource: string;
  namespace?: string;
  name?: string;
}

function has(list: string[] | undefined, value: string): boolean {
  return list !== undefined && (list.includes("*") || list.includes(value));
}

export function ruleAllows(rule: PolicyRule, a: RequestAttributes): boolean {
  if (!has(rule.verbs, a.verb) || !has(rule.apiGroups, a.group) || !has(rule.resources, a.resource)) return false;
  if (rule.resourceNames && rule.resourceNames.length > 0)
    return a.name !== undefined && rule.resourceNames.includes(a.name);
  return true;
}

/** The rules of one Role bound to the user in one namespace (a RoleBinding). */
export interface NamespacedRules {
  namespace: string;
  rules: PolicyRule[];
}

export function allows(grants: NamespacedRules[] | "all", a: RequestAttributes): boolean {
  if (grants === "all") return true;
  return grants.some((g) => g.namespace === a.namespace && g.rules.some((r) => ruleAllows(r, a)));
}
