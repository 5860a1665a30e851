// Answers "may this role call each action on resource '*'?" with @cloud-copilot/iam-simulate.
// Protocol: one JSON request per stdin line, {"snapshot": <role snapshot>, "actions": [...]};
// one JSON answer per stdout line, {"decisions": {action: "allowed" | "explicit_deny" |
// "implicit_deny" | "error: <message>"}}. The Python side is tests/oracle/iam_simulate.py.
import { createInterface } from 'node:readline'
import { runSimulation } from '@cloud-copilot/iam-simulate'

const RESULTS = {
  Allowed: 'allowed',
  ExplicitlyDenied: 'explicit_deny',
  ImplicitlyDenied: 'implicit_deny'
}

function parseDocument(document) {
  if (typeof document !== 'string') return document
  const text = document.trim()
  return JSON.parse(text.startsWith('{') ? text : decodeURIComponent(text))
}

function simulation(snapshot, action) {
  const role = snapshot.role
  const account = role.arn.split(':')[4]
  const context = {
    'aws:PrincipalArn': role.arn,
    'aws:PrincipalAccount': account
  }
  for (const [key, value] of Object.entries(role.tags ?? {})) {
    context[`aws:PrincipalTag/${key}`] = value
  }
  const sim = {
    request: {
      principal: role.arn,
      action,
      resource: { resource: '*', accountId: account },
      contextVariables: context
    },
    identityPolicies: role.policies.map((p) => ({ name: p.name, policy: parseDocument(p.document) })),
    serviceControlPolicies: (snapshot.scps ?? []).map((level) => ({
      orgIdentifier: level.target,
      policies: level.policies.map((p) => ({ name: p.name, policy: parseDocument(p.document) }))
    })),
    resourceControlPolicies: []
  }
  if (role.permissions_boundary) {
    sim.permissionBoundaryPolicies = [
      { name: role.permissions_boundary.arn, policy: parseDocument(role.permissions_boundary.document) }
    ]
  }
  return sim
}

async function decide(snapshot, action) {
  const result = await runSimulation(simulation(snapshot, action), {})
  if (result.resultType === 'error') return `error: ${JSON.stringify(result.errors)}`
  return RESULTS[result.overallResult] ?? `error: unexpected result ${result.overallResult}`
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
for await (const line of lines) {
  if (!line.trim()) continue
  let answer
  try {
    const { snapshot, actions } = JSON.parse(line)
    const decisions = {}
    for (const action of actions) decisions[action] = await decide(snapshot, action)
    answer = { decisions }
  } catch (err) {
    answer = { error: String(err?.stack ?? err) }
  }
  process.stdout.write(JSON.stringify(answer) + '\n')
}
