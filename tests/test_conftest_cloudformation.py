"""conftest on CloudFormation templates (JSON and YAML), run exactly as the contract spells it.

The YAML fixtures use the short-form tags (!Ref, !Sub, !GetAtt) that conftest's YAML parser
reduces to their arguments; every fixture must also pass cfn-lint.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from iac_helpers import (
    CONFTEST_DATA,
    FIXTURES,
    NOTHING_SELECTED,
    actions,
    missing,
    no_document,
    run_conftest,
)

TEMPLATES = FIXTURES / "cloudformation"
NAMESPACE = "vbaws.cloudformation"
ROLE = "VeeamBackupRole"
APPLIANCE = "arn:aws:iam::111111111111:role/VeeamBackupApplianceRole"
SQS = [a for a in actions("ec2_backup") if a.startswith("sqs:")]
THREE = ["ebs:ListChangedBlocks", "ebs:ListSnapshotBlocks", "ec2:CopySnapshot"]

UNKNOWN_TAGS = (
    "VeeamLegacyRole: its tags are known only at deploy time, so whether it carries vbaws:checks "
    "(and which requirement sets) cannot be told; list it in data.vbaws_config.roles with its "
    "sets to check it (see docs/conftest.md)"
)


def _template_files() -> list[str]:
    return sorted(p.name for p in TEMPLATES.iterdir() if p.suffix in (".json", ".yaml", ".yml"))


@dataclass(frozen=True)
class Case:
    template: str
    returncode: int
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    data: tuple[str, ...] = ()


CASES = {
    "compliant (YAML short-form tags)": Case("compliant.yaml", 0),
    "compliant, appliance given": Case("compliant.yaml", 0, data=("selection.yaml",)),
    "missing actions, ManagedPolicy by Ref (JSON)": Case(
        "missing-actions.json", 1, [missing(ROLE, "ec2_backup", THREE)]
    ),
    "trust policy keeps the appliance out": Case(
        "missing-actions.json",
        1,
        [
            missing(ROLE, "ec2_backup", THREE),
            f"{ROLE}: the trust policy does not let {APPLIANCE} call sts:AssumeRole on this role "
            "(no Allow statement names it)",
        ],
        data=("selection.yaml",),
    ),
    # conftest reads an unquoted account id as a float: compared as "1.11111111111e+11", the
    # Deny never applied and the template passed.
    "trust Deny on the appliance's account written as a YAML number": Case(
        "trust-deny-account-number.yaml",
        1,
        [
            f"{ROLE}: the trust policy does not let {APPLIANCE} call sts:AssumeRole on this role "
            "(denied by statement 2)"
        ],
        data=("selection.yaml",),
    ),
    # An unquoted account id in a trust Principal arrived as a float, refused as no principal:
    # the trust was invalid and the correct role failed.
    "trust naming accounts as YAML numbers": Case(
        "trust-principal-account-number.yaml", 0, data=("selection.yaml",)
    ),
    "explicit deny through an AWS::IAM::Policy": Case(
        "explicit-deny.yaml",
        1,
        [
            f"{ROLE}: check ec2_backup: explicitly denied: kms:CreateGrant, kms:ReEncryptTo "
            '(statement DenyKms of inline policy "guardrails")'
        ],
        [
            f"{ROLE}: check ec2_backup: 1 required action granted only conditionally: "
            "ssm:SendCommand (allow has Condition StringEquals aws:RequestedRegion)"
        ],
    ),
    "permissions boundary and an AWS::IAM::RolePolicy": Case(
        "boundary.yaml", 1, [missing(ROLE, "ec2_backup", SQS, " (not allowed by boundary)")]
    ),
    "AWS managed policies, documents not supplied": Case(
        "aws-managed-policies.yaml",
        1,
        [missing(ROLE, "ec2_backup", actions("ec2_backup"))],
        [
            no_document(ROLE, "arn:aws:iam::aws:policy/IAMReadOnlyAccess"),
            no_document(ROLE, "arn:aws:iam::aws:policy/PowerUserAccess"),
        ],
    ),
    "AWS managed policies, documents supplied as data": Case(
        "aws-managed-policies.yaml", 0, data=("aws-managed-policies.json",)
    ),
    # The data holds an older copy of the stack's own policy, allowing everything: the stack
    # deploys the template's document, which lacks three actions.
    "the stack's own managed policy by its ARN, an older copy in data": Case(
        "template-policy-by-arn.json",
        1,
        [missing(ROLE, "ec2_backup", THREE)],
        data=("stale-customer-policy.json",),
    ),
    "known only at deploy time": Case(
        "unknown-at-deploy.json",
        1,
        [missing(ROLE, "ec2_backup", SQS)],
        [
            f'{ROLE}: ManagedPolicyArns entry {{"Fn::ImportValue":"veeam-shared-policy-arn"}} '
            "is known only at deploy time; counted as granting nothing",
            f'{ROLE}: ManagedPolicyArns entry {{"Ref":"QueuePolicyArn"}} '
            "is known only at deploy time; counted as granting nothing",
        ],
    ),
    "policy resource with a Condition": Case(
        "conditional-policy.yaml",
        1,
        [missing(ROLE, "ec2_backup", SQS)],
        [
            f"{ROLE}: the document of VeeamSqsInProduction belongs to a resource created only when "
            'condition "IsProd" holds, which is known at deploy time; counted as granting nothing'
        ],
    ),
    "policy document as JSON text with a parameter substituted in": Case(
        "json-text-policy.yaml",
        1,
        [missing(ROLE, "ec2_backup", SQS)],
        [
            f"{ROLE}: the document of VeeamSqs is JSON text into which ${{ExcludedQueues}} is "
            "substituted at deploy time, which could change any of its statements; "
            "counted as granting nothing"
        ],
    ),
    "policy resources naming the role by deploy-time expressions": Case(
        "role-named-at-deploy.yaml",
        1,
        [
            f"{ROLE}: check ec2_backup: explicitly denied: kms:CreateGrant (statement "
            'DenyCreateGrant of inline policy "veeam-grant-guard"), kms:ReEncryptTo (statement '
            'DenyReEncryptTo of inline policy "veeam-re-encrypt-guard (its Deny statements)")'
        ],
        [
            f"{ROLE}: the Allow statements of VeeamReEncryptGuard, which may apply to this role "
            '(RoleName "${GuardedRoleName}" could name it at deploy time); '
            "counted as granting nothing"
        ],
    ),
    # `!Select [0, !If [IsProd, [VeeamEc2Backup], [...]]]` arrives as [0, ["IsProd", [...], [...]]]:
    # the index picked the condition's name, so the guardrail named no role and the template
    # passed, while in production the stack attaches it to the role.
    "a guardrail whose role is picked by !Select from an !If": Case(
        "select-from-if.yaml",
        1,
        [
            f"{ROLE}: check ec2_backup: explicitly denied: kms:CreateGrant, kms:ReEncryptTo "
            '(statement DenyKms of inline policy "guardrails (its Deny statements)")'
        ],
        [
            f"{ROLE}: the Allow statements of GuardrailPolicy, which may apply to this role "
            '(Roles entry [0,["IsProd",["VeeamEc2Backup"],["veeam-dev-backup"]]] could name it '
            "at deploy time); counted as granting nothing"
        ],
    ),
    "an AWS::IAM::RolePolicy of the same name as the role's inline policy": Case(
        "same-name-inline-policy.yaml",
        1,
        [missing(ROLE, "ec2_backup", actions("ec2_backup"))],
        [
            f'{ROLE}: the Allow statements of inline policy "veeam" of {origin} '
            "(Policies[0], VeeamNarrowPolicy all put an inline policy of that name into this role; "
            "which one stays cannot be told); counted as granting nothing"
            for origin in ("Policies[0]", "VeeamNarrowPolicy")
        ],
    ),
    "an AWS::IAM::RolePolicy whose PolicyName is a parameter": Case(
        "policy-name-at-deploy.yaml",
        1,
        [missing(ROLE, "ec2_backup", actions("ec2_backup"))],
        [
            f"{ROLE}: the Allow statements of inline policy {name} of {origin} "
            "(Policies[0], VeeamNarrowPolicy put inline policies into this role whose names "
            "could be the same at deploy time; which one stays cannot be told); "
            "counted as granting nothing"
            for name, origin in (
                ('"veeam"', "Policies[0]"),
                ('"${GuardPolicyName}"', "VeeamNarrowPolicy"),
            )
        ],
    ),
    "multiple roles": Case(
        "multiple-roles.yaml",
        1,
        [missing("VeeamWorkerRole", "worker_production", actions("worker_production"))],
    ),
    "multiple roles, one more selected through data": Case(
        "multiple-roles.yaml",
        1,
        [
            missing(
                "VeeamLegacyRole",
                "ec2_backup",
                [a for a in actions("ec2_backup") if not a.startswith("ec2:Describe")],
            ),
            missing("VeeamWorkerRole", "worker_production", actions("worker_production")),
        ],
        data=("selection.yaml",),
    ),
    "vbaws:checks tag chosen at deploy time": Case(
        "tags-at-deploy.yaml",
        0,
        warnings=[UNKNOWN_TAGS, NOTHING_SELECTED.format(kind="template")],
    ),
    "vbaws:checks tag chosen at deploy time, role selected through data": Case(
        "tags-at-deploy.yaml",
        1,
        [
            missing(
                "VeeamLegacyRole",
                "ec2_backup",
                [a for a in actions("ec2_backup") if not a.startswith("ec2:Describe")],
            )
        ],
        [UNKNOWN_TAGS],
        data=("selection.yaml",),
    ),
    "nothing selected": Case(
        "nothing-selected.json", 0, warnings=[NOTHING_SELECTED.format(kind="template")]
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_conftest_on_template(case: Case) -> None:
    result = run_conftest(
        NAMESPACE, TEMPLATES / case.template, *(CONFTEST_DATA / name for name in case.data)
    )
    assert (result.failures, result.warnings) == (sorted(case.failures), sorted(case.warnings))
    assert result.returncode == case.returncode, result.stderr


def test_every_template_fixture_is_tested() -> None:
    assert set(_template_files()) == {case.template for case in CASES.values()}


def test_every_template_passes_cfn_lint() -> None:
    # One cfn-lint run for all templates (it takes seconds to start); its output names the file.
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    command = [str(cfn_lint)] if cfn_lint.exists() else [shutil.which("cfn-lint") or "cfn-lint"]
    templates = [str(TEMPLATES / name) for name in _template_files()]
    assert len(templates) >= 8
    done = subprocess.run(command + templates, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_plan_given_to_the_template_namespace_is_denied() -> None:
    result = run_conftest(NAMESPACE, FIXTURES / "terraform" / "compliant.json")
    assert result.failures == [
        "the input is not a CloudFormation template: it has no Resources object"
    ]
    assert result.returncode == 1
