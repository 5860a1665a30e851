package vbaws.terraform

# References to instances of a kind (policies, roles) in an expression of the plan's
# configuration, read through the helpers of plan.rego.

# The one instance among `instances` an expression is a plain reference to: every reference
# names it ("aws_iam_policy.a.arn" and "aws_iam_policy.a" both name aws_iam_policy.a), or names
# every instance of its resource beside one that names it alone (Terraform lists
# "aws_iam_role.r[1].name", "aws_iam_role.r[1]" and "aws_iam_role.r" for aws_iam_role.r[1].name).
_sole_target(address, expression, instances) := target if {
	refs := _refs_among(address, expression, instances)
	targets := {t | some ref, named in refs; not _narrower_ref(expression, refs, ref); some t in named}
	count(targets) == 1
	some target in targets
	every ref in _refs(expression) {
		_refers_or_narrows([address, expression], refs, ref, target)
	}
}

_refers_or_narrows([address, _], _, ref, target) if _refers_to(address, ref, target)

_refers_or_narrows([_, expression], refs, ref, target) if {
	target in refs[ref]
	_narrower_ref(expression, refs, ref)
}

# ref -> the instances among `instances` it names ("aws_iam_policy.x" names every instance of x).
_refs_among(address, expression, instances) := {ref: named |
	some ref in _refs(expression)
	is_string(ref)
	named := {t | some t in _targets(address, [ref]); t in instances} | {t |
		some t in instances
		_refers_to(address, ref, t)
	}
}

# Every instance among `instances` the expression refers to.
_named_among(address, expression, instances) := union({named |
	some named in _refs_among(address, expression, instances)
})

# The instance a list expression surely holds: only when every reference of the expression
# names instances of the kind (anything else may add or choose an element) and, narrowed, they
# name one instance: a reference to all instances of x gives way to one naming x["a"]
# (x["a"].arn refers to both). References cannot show a filter, slice() or element(): an
# expression naming several instances ([for k, p in x : p.arn if k != "full"]) may list any
# of them and surely lists none.
_listed_among(address, expression, instances) := listed if {
	refs := _refs_among(address, expression, instances)
	count(refs) > 0
	every ref in _refs(expression) {
		count(object.get(refs, ref, set())) > 0
	}
	listed := {t |
		some ref, named in refs
		not _narrower_ref(expression, refs, ref)
		some t in named
	}
	count(listed) == 1
	some t in listed
	some ref, named in refs
	t in named
	_names_its_key(ref, t)
}

# A reference to an instance of a count/for_each resource names its key; a whole-resource
# reference (a for expression, a splat) that finds a single instance may still filter it out.
_names_its_key(_, instance) if not endswith(instance, "]")

_names_its_key(ref, instance) if {
	[last] := regex.find_n(`[^.\]]+\[(?:"(?:[^"\\]|\\.)*"|[^\]"]*)\]$`, instance, 1)
	contains(ref, last)
}

_narrower_ref(expression, refs, ref) if {
	_only_indexed(expression, ref)
	some other, named in refs
	other != ref
	count(named) > 0
	named != refs[ref]
	named & refs[ref] == named
}

# Terraform lists "x[k]" and "x" for each traversal that indexes x by a key written out
# (x[1].name, x["a"].arn), and "x" alone for one that does not (x[*].name, for r in x, x[var.i]):
# [for r in x : r.name if r.name != x[0].name] lists x, x[0].name, x[0] and x, and names the
# other instances, not x[0]. x gives way to x[k] only when every listing of it comes with one
# of x[k].
_only_indexed(expression, ref) if {
	refs := _refs(expression)
	count([r | some r in refs; r == ref]) <= count([r | some r in refs; _keyed_ref(r, ref)])
}

_keyed_ref(r, ref) if {
	startswith(r, concat("", [ref, "["]))
	regex.match(`^\[(?:"(?:[^"\\]|\\.)*"|[^\]"]*)\]$`, substring(r, count(ref), -1))
}
