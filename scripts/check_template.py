"""Checks template.yaml as AWS reads it: CloudFormation's language extensions, then SAM's
transform (both run offline, from the SAM CLI in the venv), for each meaningful set of
parameters. Run by scripts/test (`scripts/check-template`); prints one line per parameter set
and exits non-zero with every problem found.

What the expanded template must hold:
- IAM: every statement of every role and policy names its resources (`*` only for X-Ray's
  tracing actions, which have no resource-level permissions), and no role carries a managed
  policy (SAM adds some unless each function has its own role);
- alarms: every metric series an alarm's expression reads is FILLed (a sum of sparse series
  has no data point where one of them has none, and `notBreaching` would keep it quiet), and
  with a topic or an email every alarm notifies it;
- the authorizer: without `JwtIssuer` no route is authorized; with it the HTTP API has its JWT
  authorizer and `/sources` uses it exactly when `PrivateSources` is true;
- reserved concurrency: set on the three background functions exactly when asked for.

Usage: python scripts/check_template.py [template.yaml]   (with the venv's python)
"""

import copy
import json
import os
import re
import sys

# SAM's transform reads the region from the environment; nothing is asked of AWS.
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

from samcli.lib.cfn_language_extensions.sam_integration import expand_language_extensions
from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform

PARAMETER_SETS = {
    "defaults": {},
    "jwt": {
        "JwtIssuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example",
        "JwtAudience": "client-id",
    },
    "jwt-public-sources": {
        "JwtIssuer": "https://issuer.example.com",
        "JwtAudience": "client-id",
        "PrivateSources": "false",
    },
    "reserved": {"ReserveConcurrency": "true"},
    "alarm-email": {"AlarmEmail": "ops@example.com"},
    "alarm-topic-and-email": {
        "AlarmTopicArn": "arn:aws:sns:us-east-1:123456789012:ops",
        "AlarmEmail": "ops@example.com",
    },
}

# Parameter sets CloudFormation must refuse before creating anything, with why.
REFUSED = {
    "an issuer without an audience": {"JwtIssuer": "https://issuer.example.com"},
    "an audience without an issuer": {"JwtAudience": "client-id"},
    "an issuer that is not https": {"JwtIssuer": "http://issuer.example.com", "JwtAudience": "a"},
    "an alarm email that is no address": {"AlarmEmail": "ops"},
}

PSEUDO = {
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::Partition": "aws",
    "AWS::StackName": "jobfeed",
    "AWS::URLSuffix": "amazonaws.com",
}

TRACING_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


class NoManagedPolicies:
    """The policy loader SAM asks for managed policy names: the template uses none."""

    def load(self):
        return {}


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def expanded(raw, parameters):
    """The template after the language extensions and SAM's transform."""
    defaults = {
        name: spec.get("Default")
        for name, spec in raw.get("Parameters", {}).items()
        if "Default" in spec
    }
    values = {**defaults, **parameters}
    template = copy.deepcopy(raw)
    result = expand_language_extensions(template, {**values, **PSEUDO}, enabled=True)
    template = result.expanded_template
    # As `sam package` leaves it: the code in S3.
    template.get("Globals", {}).get("Function", {})["CodeUri"] = "s3://bucket/code.zip"
    for resource in template["Resources"].values():
        if resource.get("Type") == "AWS::Serverless::Function" and "CodeUri" in resource.get("Properties", {}):
            resource["Properties"]["CodeUri"] = "s3://bucket/code.zip"
    transforms = [t for t in as_list(template.get("Transform")) if t != "AWS::LanguageExtensions"]
    template["Transform"] = transforms[0] if len(transforms) == 1 else transforms
    return transform(template, values, NoManagedPolicies()), values


def condition_true(template, name, values):
    """Evaluates a condition of the template for the given parameter values."""
    def evaluate(node):
        if isinstance(node, dict) and len(node) == 1:
            (key, arg), = node.items()
            if key == "Fn::Equals":
                return resolve(arg[0]) == resolve(arg[1])
            if key == "Fn::Not":
                return not evaluate(arg[0])
            if key == "Fn::And":
                return all(evaluate(a) for a in arg)
            if key == "Fn::Or":
                return any(evaluate(a) for a in arg)
            if key == "Condition":
                return evaluate(template["Conditions"][arg])
        raise ValueError(f"cannot evaluate {node!r}")

    def resolve(node):
        if isinstance(node, dict) and "Ref" in node:
            return str(values.get(node["Ref"], ""))
        return str(node)

    return evaluate(template["Conditions"][name])


def live_resources(template, values):
    """The resources whose condition holds."""
    return {
        name: resource
        for name, resource in template["Resources"].items()
        if "Condition" not in resource or condition_true(template, resource["Condition"], values)
    }


def statements(node, path, found):
    if isinstance(node, dict):
        for key, child in node.items():
            if key == "Statement":
                for statement in as_list(child):
                    found.append((f"{path}/Statement", statement))
            elif key != "AssumeRolePolicyDocument":
                statements(child, f"{path}/{key}", found)
    elif isinstance(node, list):
        for i, child in enumerate(node):
            statements(child, f"{path}[{i}]", found)


def check(name, raw, parameters):
    problems = []
    template, values = expanded(raw, parameters)
    resources = live_resources(template, values)

    # IAM.
    for resource_name, resource in resources.items():
        if resource["Type"] == "AWS::IAM::Role" and resource["Properties"].get("ManagedPolicyArns"):
            problems.append(f"{resource_name}: managed policies {resource['Properties']['ManagedPolicyArns']}")
    found = []
    statements(resources, "Resources", found)
    for path, statement in found:
        actions = set(as_list(statement.get("Action")))
        for target in as_list(statement.get("Resource")):
            if target == "*" and not actions <= TRACING_ACTIONS:
                problems.append(f"{path}: {sorted(actions)} on *")

    # Alarms.
    notify = bool(values.get("AlarmTopicArn")) or bool(values.get("AlarmEmail"))
    for resource_name, resource in resources.items():
        if resource["Type"] != "AWS::CloudWatch::Alarm":
            continue
        properties = resource["Properties"]
        series = [m["Id"] for m in properties.get("Metrics", []) if "MetricStat" in m]
        for metric in properties.get("Metrics", []):
            expression = metric.get("Expression")
            if not expression:
                continue
            for series_id in series:
                uses = re.findall(rf"(?<![\w(]){series_id}(?!\w)|FILL\(\s*{series_id}\s*,", expression)
                bare = [u for u in uses if not u.startswith("FILL")]
                if bare:
                    problems.append(f"{resource_name}: `{series_id}` is read without FILL in {expression}")
        actions = properties.get("AlarmActions")
        if notify and not (isinstance(actions, dict) and "Fn::If" in actions or actions):
            problems.append(f"{resource_name}: no alarm action although one is configured")
    if values.get("AlarmEmail"):
        subscriptions = [r for r in resources.values() if r["Type"] == "AWS::SNS::Subscription"]
        endpoint = subscriptions[0]["Properties"]["Endpoint"] if len(subscriptions) == 1 else None
        if endpoint not in ({"Ref": "AlarmEmail"}, values["AlarmEmail"]):
            problems.append("AlarmEmail: no subscription of the address")
        topics = [n for n, r in resources.items() if r["Type"] == "AWS::SNS::Topic"]
        if values.get("AlarmTopicArn") and topics:
            problems.append(f"AlarmTopicArn given, yet the stack creates {topics}")
        if not values.get("AlarmTopicArn") and len(topics) != 1:
            problems.append("AlarmEmail without AlarmTopicArn: no topic created")

    # The dashboard: valid JSON once its references are filled in, and a widget for each
    # thing an operator looks at.
    dashboards = [r for r in resources.values() if r["Type"] == "AWS::CloudWatch::Dashboard"]
    if len(dashboards) != 1:
        problems.append(f"{len(dashboards)} dashboards")
    else:
        body = dashboards[0]["Properties"]["DashboardBody"]
        text = body.get("Fn::Sub", body) if isinstance(body, dict) else body
        text = text[0] if isinstance(text, list) else text
        try:
            widgets = json.loads(re.sub(r"\$\{[^}]+\}", "x", text))["widgets"]
            titles = " ".join(w["properties"]["title"] for w in widgets).lower()
            for wanted in ["crawls", "postings", "dead-letter", "oldest message", "capacity",
                           "latency", "5xx", "duration", "memory"]:
                if wanted not in titles:
                    problems.append(f"the dashboard shows no {wanted!r}")
        except (ValueError, KeyError, TypeError) as error:
            problems.append(f"the dashboard body is not valid: {error}")

    # The authorizer.
    apis = [r for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Api"]
    authorizers = [r for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Authorizer"]
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::ApiGatewayV2::Route"
    }
    body_paths = {}
    for api in apis:
        body = api["Properties"].get("Body", {})
        body_paths.update(body.get("paths", {}))
        schemes = body.get("components", {}).get("securitySchemes", {})
        authorizers.extend(schemes.values())
    secured = {
        path: bool(op.get("security"))
        for path, methods in body_paths.items()
        for op in methods.values()
        if isinstance(op, dict)
    }
    secured.update({key.split(" ", 1)[-1]: bool(r.get("AuthorizerId")) for key, r in routes.items()})
    if values.get("JwtIssuer"):
        if not authorizers:
            problems.append("JwtIssuer set, yet no JWT authorizer")
        private = values.get("PrivateSources") == "true"
        if secured.get("/sources") != private:
            problems.append(f"/sources authorized: {secured.get('/sources')}, PrivateSources: {private}")
        if any(secured.get(p) for p in ["/jobs", "/feed.rss", "/health"]):
            problems.append("a public route requires a JWT")
    else:
        if authorizers or any(secured.values()):
            problems.append("no JwtIssuer, yet a route is authorized")

    # Reserved concurrency.
    reserve = values.get("ReserveConcurrency") == "true"
    for function in ["SchedulerFunction", "CrawlerFunction", "IngestFunction"]:
        reserved = resources[function]["Properties"].get("ReservedConcurrentExecutions")
        is_set = reserved is not None and reserved != {"Ref": "AWS::NoValue"}
        if isinstance(reserved, dict) and "Fn::If" in reserved:
            is_set = reserve
        if is_set != reserve:
            problems.append(f"{function}: reserved concurrency {reserved!r} with ReserveConcurrency={reserve}")
    return problems


def refusals(raw, parameters):
    """Why CloudFormation would refuse `parameters`: their AllowedPattern, AllowedValues and
    the template's Rules, evaluated as CloudFormation does before creating anything."""
    specs = raw.get("Parameters", {})
    values = {name: str(spec.get("Default", "")) for name, spec in specs.items()}
    values.update(parameters)
    reasons = []
    for name, value in parameters.items():
        spec = specs[name]
        pattern = spec.get("AllowedPattern")
        if pattern is not None and not re.fullmatch(pattern, value):
            reasons.append(f"{name} does not match its AllowedPattern")
        if "AllowedValues" in spec and value not in [str(v) for v in spec["AllowedValues"]]:
            reasons.append(f"{name} is not one of its AllowedValues")

    def evaluate(node):
        if isinstance(node, dict) and len(node) == 1:
            (key, arg), = node.items()
            if key == "Ref":
                return values[arg]
            if key == "Fn::Equals":
                return evaluate(arg[0]) == evaluate(arg[1])
            if key == "Fn::Not":
                return not evaluate(arg[0])
            if key == "Fn::And":
                return all(evaluate(a) for a in arg)
            if key == "Fn::Or":
                return any(evaluate(a) for a in arg)
            raise ValueError(f"a rule function this check does not know: {key}")
        return node

    for rule_name, rule in raw.get("Rules", {}).items():
        if "RuleCondition" in rule and not evaluate(rule["RuleCondition"]):
            continue
        for assertion in rule.get("Assertions", []):
            if not evaluate(assertion["Assert"]):
                reasons.append(f"rule {rule_name}: {assertion.get('AssertDescription', '')}")
    return reasons


def main():
    # SAM's own metrics collector complains at exit about metrics nobody publishes here.
    import logging
    logging.getLogger("samtranslator").setLevel(logging.ERROR)
    path = sys.argv[1] if len(sys.argv) > 1 else "template.yaml"
    with open(path) as f:
        raw = yaml_parse(f.read())
    failed = False
    for name, parameters in PARAMETER_SETS.items():
        problems = check(name, raw, parameters)
        print(f"{name}: {'ok' if not problems else f'{len(problems)} problems'}")
        for problem in problems:
            print(f"  - {problem}")
        failed = failed or bool(problems)
    for name, parameters in PARAMETER_SETS.items():
        if refusals(raw, parameters):
            print(f"{name}: refused: {refusals(raw, parameters)}")
            failed = True
    for what, parameters in REFUSED.items():
        reasons = refusals(raw, parameters)
        print(f"{what}: {'refused (' + '; '.join(reasons) + ')' if reasons else 'ACCEPTED'}")
        failed = failed or not reasons
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
