# METADATA
# title: OPA API authorization for the vbaws sidecar
# description: |
#   Loaded by an OPA started with --authentication=token --authorization=basic. Health probes
#   need no token; everything else needs the bearer token held in the OPA process's environment
#   variable VBAWS_OPA_TOKEN (so the token is never written in a policy file), and with it a
#   client may only ask vbaws decisions and read status. An unset or empty VBAWS_OPA_TOKEN
#   denies every request but the probes.
package system.authz

# METADATA
# title: Allow
# description: Whether OPA serves this API request (input.method, input.path, input.identity).
# scope: document
# entrypoint: true
default allow := false

# Liveness and readiness probes (GET /health, /health?bundles) carry no token.
allow if {
	input.method == "GET"
	input.path[0] == "health"
}

# Decisions: POST /v1/data/vbaws/... with {"input": ...} (the harness's --opa-url queries).
allow if {
	_authenticated
	input.method == "POST"
	array.slice(input.path, 0, 3) == ["v1", "data", "vbaws"]
}

# Bundle status (active revision, activation errors) for pipeline diagnostics.
allow if {
	_authenticated
	input.method == "GET"
	input.path == ["v1", "status"]
}

_authenticated if {
	token := opa.runtime().env.VBAWS_OPA_TOKEN
	token != ""
	input.identity == token
}
