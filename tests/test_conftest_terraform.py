"""conftest on Terraform plans (`terraform show -json`), run exactly as the contract spells it.

Each fixture in fixtures/terraform/ is a plan in the shape Terraform 1.9 (or 1.11) writes; the
expected messages below are what a person reading the fixture's configuration should be told.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

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

PLANS = FIXTURES / "terraform"
NAMESPACE = "vbaws.terraform"
ROLE = "aws_iam_role.veeam_backup"
APPLIANCE = "arn:aws:iam::111111111111:role/VeeamBackupApplianceRole"
# selection.yaml also selects aws_iam_role.legacy, which only multiple-roles.json defines.
UNMATCHED_LEGACY = (
    'data.vbaws_config.roles entry "aws_iam_role.legacy" matches no role in this plan '
    "(keys are resource addresses or logical ids, or role names known before apply); "
    "its role is not checked"
)
EXCLUSIVE = "aws_iam_role_policies_exclusive.veeam_backup"
SQS = [a for a in actions("ec2_backup") if a.startswith("sqs:")]


@dataclass(frozen=True)
class Case:
    plan: str
    returncode: int
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    data: tuple[str, ...] = ()


CASES = {
    "compliant": Case("compliant.json", 0),
    "compliant, appliance given": Case(
        "compliant.json", 0, warnings=[UNMATCHED_LEGACY], data=("selection.yaml",)
    ),
    "missing actions through a separate attachment": Case(
        "missing-actions.json",
        1,
        [
            missing(
                ROLE,
                "ec2_backup",
                ["ebs:ListChangedBlocks", "ebs:ListSnapshotBlocks", "ec2:CopySnapshot"],
            )
        ],
    ),
    "trust policy keeps the appliance out": Case(
        "missing-actions.json",
        1,
        [
            missing(
                ROLE,
                "ec2_backup",
                ["ebs:ListChangedBlocks", "ebs:ListSnapshotBlocks", "ec2:CopySnapshot"],
            ),
            f"{ROLE}: the trust policy does not let {APPLIANCE} call sts:AssumeRole on this role "
            "(no Allow statement names it)",
        ],
        [UNMATCHED_LEGACY],
        data=("selection.yaml",),
    ),
    "explicit deny and a conditional grant": Case(
        "explicit-deny.json",
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
    "permissions boundary": Case(
        "boundary.json",
        1,
        [missing(ROLE, "ec2_backup", SQS, " (not allowed by boundary)")],
    ),
    "AWS managed policies, documents not supplied": Case(
        "aws-managed-policies.json",
        1,
        [missing(ROLE, "ec2_backup", actions("ec2_backup"))],
        [
            no_document(ROLE, "arn:aws:iam::aws:policy/IAMReadOnlyAccess"),
            no_document(ROLE, "arn:aws:iam::aws:policy/PowerUserAccess"),
        ],
    ),
    "AWS managed policies, documents supplied as data": Case(
        "aws-managed-policies.json", 0, data=("aws-managed-policies.json",)
    ),
    "unknown after apply": Case(
        "unknown-after-apply.json",
        1,
        [missing(ROLE, "ec2_backup", SQS)],
        [
            f"{ROLE}: aws_iam_role_policy.queues.policy comes from "
            "data.aws_iam_policy_document.queues, which is read only during apply; "
            "counted as granting nothing"
        ],
    ),
    "multiple roles": Case(
        "multiple-roles.json",
        1,
        [missing("aws_iam_role.worker", "worker_production", actions("worker_production"))],
    ),
    "multiple roles, one more selected through data": Case(
        "multiple-roles.json",
        1,
        [
            missing(
                "aws_iam_role.legacy",
                "ec2_backup",
                [a for a in actions("ec2_backup") if not a.startswith("ec2:Describe")],
            ),
            missing("aws_iam_role.worker", "worker_production", actions("worker_production")),
        ],
        data=("selection.yaml",),
    ),
    "policy ARN chosen by a conditional is not the one policy it mentions": Case(
        "conditional-policy-arn.json",
        1,
        [missing(ROLE, "ec2_backup", actions("ec2_backup"))],
        [
            f"{ROLE}: aws_iam_role_policy_attachment.backup.policy_arn is known only after apply; "
            "counted as granting nothing"
        ],
    ),
    "a policy ARN list filtered from several policies surely lists none of them": Case(
        "filtered-policy-arns.json",
        1,
        [missing(ROLE, "ec2_backup", actions("ec2_backup"))],
        [
            f"{ROLE}: {ROLE}.managed_policy_arns is known only after apply; "
            "counted as granting nothing"
        ],
    ),
    "a policy the plan rewrites is not read from a data source of its old document": Case(
        "stale-data-policy.json",
        1,
        [missing(ROLE, "ec2_backup", actions("ec2_backup"))],
        [
            f"{ROLE}: the policy document of aws_iam_policy.backup "
            "(arn:aws:iam::123456789012:policy/veeam-backup) is known only after apply; "
            "counted as granting nothing"
        ],
    ),
    "a Deny attached to a role with count denies every role it may name": Case(
        "counted-roles-deny.json",
        1,
        [
            f"{ROLE}[{i}]: check ec2_backup: explicitly denied: "
            + ", ".join(a for a in actions("ec2_backup") if a.startswith("kms:"))
            + ' (statement DenyKms of inline policy "deny-kms")'
            for i in range(2)
        ],
        [
            f"{ROLE}[{i}]: the Allow statements of what aws_iam_role_policy.deny_kms[{j}] "
            "attaches (its role is known only after apply and may name this role); "
            "counted as granting nothing"
            for i in range(2)
            for j in range(2)
        ],
    ),
    # A real plan (Terraform 1.11, AWS provider 5.100): aws_iam_role.r with count = 2 and
    # name_prefix, a policy allowing everything attached to each by aws_iam_role.r[0].name and
    # aws_iam_role.r[1].name, and a Deny of kms:* to r[1] alone (applied, so it was).
    "a reference to one counted role names that instance": Case(
        "counted-roles-by-index.json",
        1,
        [
            "aws_iam_role.r[1]: check ec2_backup: explicitly denied: "
            + ", ".join(a for a in actions("ec2_backup") if a.startswith("kms:"))
            + ' (statement 1 of managed policy "aws_iam_policy.deny")'
        ],
    ),
    # A real plan (Terraform 1.11, AWS provider 5.100): the role's name is
    # terraform_data.name.output ("VeeamN"), known only after apply; aws_iam_policy.deny
    # (denies everything) is attached by role = "VeeamN" and roles = ["VeeamN"] written out.
    # Applied, the role had the Deny.
    "a name written out may be the name a role takes at apply": Case(
        "role-named-at-apply-by-name.json",
        1,
        [
            f"{ROLE}: check ec2_backup: explicitly denied: "
            + ", ".join(actions("ec2_backup"))
            + ' (statement 1 of managed policy "aws_iam_policy.deny")'
        ],
        [
            f"{ROLE}: the Allow statements of what {address} attaches (its {attr}, "
            '"VeeamN", may be the name this role takes at apply); counted as granting nothing'
            for address, attr in [
                ("aws_iam_policy_attachment.deny", "roles"),
                ("aws_iam_role_policy_attachment.deny2", "role"),
            ]
        ],
    ),
    # A real plan (Terraform 1.11, AWS provider 5.100, two moto servers as two accounts):
    # aws_iam_role.other (provider aws.other) is named "VeeamN"; the role, named
    # terraform_data.name.output ("VeeamN") under the default provider, takes that name in its
    # own account, and role = "VeeamN" attaches aws_iam_policy.deny to it (applied, it had the
    # Deny). The namesake of another provider configuration does not hold the name here.
    "a name held under another provider may be the name a role takes at apply": Case(
        "role-named-at-apply-other-account.json",
        1,
        [
            f"{ROLE}: check ec2_backup: explicitly denied: "
            + ", ".join(actions("ec2_backup"))
            + ' (statement 1 of managed policy "aws_iam_policy.deny")'
        ],
        [
            f"{ROLE}: the Allow statements of what aws_iam_role_policy_attachment.deny attaches "
            '(its role, "VeeamN", may be the name this role takes at apply); '
            "counted as granting nothing"
        ],
    ),
    # A real plan (Terraform 1.11, AWS provider 5.100): an inline_policy block allowing
    # everything (data.aws_iam_policy_document.all) beside a dynamic "inline_policy" block
    # (Deny ec2:*) whose for_each, terraform_data.guards.output, is known only after apply; the
    # plan's configuration leaves the dynamic block out (applied, the role had the Deny).
    "an unknown inline_policy set beside blocks written out may hold dynamic blocks": Case(
        "dynamic-inline-policy-unknown.json",
        0,
        warnings=[
            f"{ROLE}: {ROLE}.inline_policy may hold blocks of a dynamic "
            '"inline_policy" block, known only after apply; counted as granting nothing'
        ],
    ),
    # A real plan (Terraform 1.11, AWS provider 5.100): aws_iam_role.r with count = 2 and
    # name_prefix, each allowing everything inline, and aws_iam_policy.p[0] (denies everything)
    # attached by one(setsubtract(aws_iam_role.r[*].name, [aws_iam_role.r[0].name])), which
    # names r[1] (applied, r[1] got it). Its references name r[0] beside the splat's
    # aws_iam_role.r: it may be on either.
    "a reference to every counted role beside one may name any of them": Case(
        "counted-role-filtered-out.json",
        1,
        [
            f"aws_iam_role.r[{i}]: check ec2_backup: explicitly denied: "
            + ", ".join(actions("ec2_backup"))
            + ' (statement 1 of managed policy "aws_iam_policy.p[0]")'
            for i in range(2)
        ],
        [
            f"aws_iam_role.r[{i}]: the Allow statements of what "
            "aws_iam_role_policy_attachment.d attaches (its role is known only after apply and "
            "may name this role); counted as granting nothing"
            for i in range(2)
        ],
    ),
    # A real plan (Terraform 1.11, AWS provider 5.100): managed_policy_arns =
    # [for p in aws_iam_policy.x : p.arn if p.arn != aws_iam_policy.x["a"].arn] leaves out
    # x["a"] (allows everything) and lists x["b"] (ec2:CreateTags); applied, the role had
    # x["b"] alone. Neither is surely listed.
    "managed_policy_arns filtering out one policy instance surely lists none": Case(
        "filtered-out-policy-instance.json",
        1,
        [missing(ROLE, "ec2_backup", actions("ec2_backup"))],
        [
            f"{ROLE}: {ROLE}.managed_policy_arns is known only after apply; "
            "counted as granting nothing"
        ],
    ),
    "aws_iam_role_policies_exclusive removes the inline policies it does not list": Case(
        "exclusive-policies.json",
        1,
        [missing(ROLE, "ec2_backup", actions("ec2_backup"))],
        [
            f'{ROLE}: inline policy "guardrails", which {EXCLUSIVE} keeps, '
            "is not defined in this plan; counted as granting nothing",
            f"{ROLE}: the Allow statements of all, which {EXCLUSIVE} removes from this role "
            "(not in its policy_names); counted as granting nothing",
        ],
    ),
    "a replaced role loses the inline policies the plan does not create again": Case(
        "replaced-role.json",
        1,
        [missing(ROLE, "ec2_backup", actions("ec2_backup"))],
        [
            f"{ROLE}: the Allow statements of what aws_iam_role_policy.full attaches "
            f"({ROLE} is replaced, which removes what attaches to it, and this plan does not "
            "create aws_iam_role_policy.full again); counted as granting nothing"
        ],
    ),
    "a role policy moved to another address may be deleted after it is created again": Case(
        "moved-role-policy.json",
        1,
        [missing(ROLE, "ec2_backup", actions("ec2_backup"))],
        [
            f"{ROLE}: the Allow statements of full, which aws_iam_role_policy.full removes from "
            "this role (this plan deletes it, and deleting it deletes the inline policy, whatever "
            "else attaches it); counted as granting nothing"
        ],
    ),
    "managed_policy_arns removes the attachments it does not list": Case(
        "exclusive-managed-policy-arns.json",
        1,
        [missing(ROLE, "ec2_backup", actions("ec2_backup"))],
        [
            f"{ROLE}: the Allow statements of aws_iam_policy.full, which "
            f"{ROLE}.managed_policy_arns removes from this role (it does not list it); "
            "counted as granting nothing"
        ],
    ),
    # A real plan (Terraform 1.11, AWS provider 5.100): the provider plans the list of a new
    # role as known only after apply, though `[]` written out gives the role nothing (applied,
    # the role had no managed policy).
    "managed_policy_arns = [] on a new role gives it nothing": Case(
        "empty-managed-policy-arns.json", 0
    ),
    # Real plans (Terraform 1.11, AWS provider 5.100): the role has veeam-full through
    # aws_iam_role_policy_attachment.full; aws_iam_policy_attachment.workers lists only
    # VeeamWorker. Applied, creating it left the policy on the role (a warn says the next
    # apply takes it away); the next plan's update detached it.
    "a created aws_iam_policy_attachment detaches nothing": Case(
        "policy-attachment-created.json",
        0,
        warnings=[
            f"{ROLE}: aws_iam_policy_attachment.workers leaves "
            "arn:aws:iam::123456789012:policy/veeam-full out, so the apply after this one "
            "removes it from this role (see docs/conftest.md)"
        ],
    ),
    "an updated aws_iam_policy_attachment detaches its policy from roles it does not list": Case(
        "policy-attachment-updated.json",
        1,
        [missing(ROLE, "ec2_backup", actions("ec2_backup"))],
        [
            f"{ROLE}: the Allow statements of arn:aws:iam::123456789012:policy/veeam-full, which "
            "aws_iam_policy_attachment.workers removes from this role (it detaches its policy "
            "from every role it does not list); counted as granting nothing"
        ],
    ),
    # Real plans: aws_iam_policy_attachment.workers with roles = [module.worker.role_name],
    # known only after apply, is created (applied, the role kept the policy; the next plan's
    # update detached it); then the role, named by terraform_data.name.output, is replaced
    # while the attachment's update detaches the policy from the old role's name, which the
    # new role takes.
    "an aws_iam_policy_attachment whose roles are unknown may take the policy away later": Case(
        "policy-attachment-unknown-roles.json",
        0,
        warnings=[
            f"{ROLE}: aws_iam_policy_attachment.workers may leave aws_iam_policy.full out (its "
            "roles is known only after apply and may name this role), so the apply after this "
            "one may remove it from this role (see docs/conftest.md)",
            f"{ROLE}: the Allow statements of what aws_iam_policy_attachment.workers attaches "
            "(its roles is known only after apply and may name this role); counted as granting "
            "nothing",
        ],
    ),
    "a role named only at apply may take the name an aws_iam_policy_attachment detaches": Case(
        "policy-attachment-role-named-at-apply.json",
        1,
        [missing(ROLE, "ec2_backup", actions("ec2_backup"))],
        [
            f"{ROLE}: the Allow statements of arn:aws:iam::123456789012:policy/veeam-full, which "
            "aws_iam_policy_attachment.workers may remove from this role (it detaches its policy "
            "from VeeamEc2Backup, a role of its old state that this apply deletes, and this "
            "role, named only at apply, may take that name); counted as granting nothing"
        ],
    ),
    # A real plan: what code run at apply attaches to the role is not in it.
    "resources that run code at apply and are given the role are named": Case(
        "code-at-apply.json",
        0,
        warnings=[
            "aws_iam_role.veeam_backup: resources that run code at apply "
            "(aws_lambda_invocation.attach, terraform_data.guard, terraform_data.literal) are "
            "given this role; the policies they may attach to it, a Deny among them, are not "
            "checked"
        ],
    ),
    "a role name names a namesake of another provider configuration only maybe": Case(
        "provider-alias-same-name.json",
        1,
        [
            missing(
                "aws_iam_role.veeam_b",
                "ec2_backup",
                [a for a in actions("ec2_backup") if a != "ec2:DescribeInstances"],
            )
        ],
        [
            "aws_iam_role.veeam_b: the Allow statements of what aws_iam_role_policy.full "
            "attaches (its role names a role of this name, maybe this one, from another "
            "module or provider configuration); counted as granting nothing"
        ],
    ),
    "a plan with two changes of one instance is refused, not read either way": Case(
        "repeated-change.json",
        1,
        [
            "the input is not a Terraform plan this check can read (resource_changes lists "
            "aws_iam_role.veeam_backup more than once; expected one change per instance, as "
            "`terraform show -json PLANFILE` writes)"
        ],
    ),
    "a second resource of the role's name writes the same IAM role": Case(
        "imported-role-copy.json",
        0,
        warnings=[
            "aws_iam_role.veeam_backup: other aws_iam_role resources of this plan "
            '(module.copy.aws_iam_role.this) manage the IAM role "VeeamBackup" too, in no set '
            "order; its trust policy, tags and policies may be theirs after apply (see "
            "docs/conftest.md)"
        ],
    ),
    "a second resource of a policy's ARN writes its document too": Case(
        "imported-policy-copy.json",
        1,
        [missing(ROLE, "ec2_backup", actions("ec2_backup"))],
        [
            f"{ROLE}: the policy document of arn:aws:iam::123456789012:policy/veeam-full, which "
            "aws_iam_policy.full and module.copy.aws_iam_policy.this write in no set order, is "
            "not known before apply; counted as granting nothing"
        ],
    ),
    "a second resource of the role's name replaced under another name deletes the role": Case(
        "renamed-role-copy.json",
        1,
        [
            "aws_iam_role.backup: this plan deletes aws_iam_role.copy, which manages the IAM "
            "role of this name too: the apply deletes this role (see docs/conftest.md)"
        ],
    ),
    "a deleted namesake whose old ARN is of the role's account deletes it": Case(
        "namesake-deleted-under-alias.json",
        1,
        [
            "aws_iam_role.backup: this plan deletes aws_iam_role.copy, which manages the IAM "
            "role of this name too: the apply deletes this role (see docs/conftest.md)"
        ],
    ),
    "the appliance's role created again under another provider may be gone": Case(
        "appliance-role-under-other-provider.json",
        0,
        warnings=[
            "aws_iam_role.backup: the appliance "
            "arn:aws:iam::111111111111:role/VeeamBackupApplianceRole is a role this plan deletes "
            "(aws_iam_role.appliance), and the roles of its name this plan creates "
            "(aws_iam_role.appliance_b) may be of another provider configuration and account "
            "than the deleted one: after apply the appliance may be gone and unable to assume "
            "this role (see docs/conftest.md)",
            UNMATCHED_LEGACY,
        ],
        data=("selection.yaml",),
    ),
    "an account moved to an organizational unit comes under its policies": Case(
        "account-moved.json",
        0,
        warnings=[
            f"{ROLE}: this plan moves or creates accounts in the organization "
            "(aws_organizations_account.member), whose parents' service or resource control "
            "policies may deny its actions or keep the appliance out; the organization layer is "
            "not evaluated here (see docs/conftest.md)"
        ],
    ),
    "an instance key with a closing bracket finds its configuration": Case(
        "bracket-in-key.json",
        1,
        [
            'aws_iam_role.r["eu]"]: check ec2_backup: explicitly denied: '
            + ", ".join(sorted(a for a in actions("ec2_backup") if a.startswith("ec2:")))
            + ' (statement 1 of managed policy "aws_iam_policy.deny")'
        ],
    ),
    "an account created for a provider configuration comes under its unit's policies": Case(
        "account-created-for-provider.json",
        0,
        warnings=[
            f"{ROLE}: this plan moves or creates accounts in the organization "
            "(aws_organizations_account.new), whose parents' service or resource control "
            "policies may deny its actions or keep the appliance out; the organization layer is "
            "not evaluated here (see docs/conftest.md)"
        ],
    ),
    "an account created for a provider configuration through a local value": Case(
        "account-created-through-local.json",
        0,
        warnings=[
            f"{ROLE}: this plan moves or creates accounts in the organization "
            "(aws_organizations_account.new), whose parents' service or resource control "
            "policies may deny its actions or keep the appliance out; the organization layer is "
            "not evaluated here (see docs/conftest.md)"
        ],
    ),
    "nothing selected": Case(
        "nothing-selected.json", 0, warnings=[NOTHING_SELECTED.format(kind="plan")]
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_conftest_on_plan(case: Case) -> None:
    result = run_conftest(
        NAMESPACE, PLANS / case.plan, *(CONFTEST_DATA / name for name in case.data)
    )
    assert (result.failures, result.warnings) == (sorted(case.failures), sorted(case.warnings))
    assert result.returncode == case.returncode, result.stderr


def test_every_plan_fixture_is_tested() -> None:
    tested = {case.plan for case in CASES.values()}
    assert {p.name for p in PLANS.glob("*.json")} == tested


@pytest.mark.parametrize("plan", sorted(p.name for p in PLANS.glob("*.json")))
def test_plan_fixtures_have_the_terraform_shape(plan: str) -> None:
    document = json.loads((PLANS / plan).read_text())
    assert document["format_version"].startswith("1.")
    assert document["terraform_version"].startswith("1.")
    root = document["planned_values"]["root_module"]
    planned = {r["address"] for r in root.get("resources", [])} | {
        r["address"] for m in root.get("child_modules", []) for r in m["resources"]
    }
    changed = {c["address"] for c in document["resource_changes"]}
    # Every planned instance has its change, with after/after_unknown as Terraform writes them.
    assert planned <= changed
    for change in document["resource_changes"]:
        assert set(change["change"]) >= {"actions", "before", "after", "after_unknown"}
    assert "root_module" in document["configuration"]


def test_plan_that_is_not_a_plan_is_denied() -> None:
    # A template given to the Terraform namespace by mistake must not pass silently.
    result = run_conftest(NAMESPACE, FIXTURES / "cloudformation" / "missing-actions.json")
    assert result.failures == [
        "the input is not a Terraform plan this check can read (format_version null; "
        "expected 1.x from `terraform show -json PLANFILE`)"
    ]
    assert result.returncode == 1
