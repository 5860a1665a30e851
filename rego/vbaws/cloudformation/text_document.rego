package vbaws.cloudformation

import data.vbaws.lib.values

# A policy document written as JSON text. The short form `!Sub '{"Statement": ...}'` arrives
# as its template string (the long form is an intrinsic function, unknown as a whole), and
# Fn::Sub substitutes text: a parameter's or a resource attribute's value lands in the JSON
# unescaped, where it could close a string and add a statement or a key. Text with such a
# placeholder is unknown. Without one, it is read as the object it parses to, with every
# check an object document gets.
_text_document(text) := {"unknown": "is computed by an intrinsic function at deploy time"} if {
	_short_form_reference(text)
} else := {"unknown": sprintf(
	"is JSON text into which %s %s substituted at deploy time, which could change any of its statements",
	[concat(", ", names), _verb(count(names))],
)} if {
	names := _substituted(text)
	count(names) > 0
} else := {"document": text} if {
	# Text that names a key twice parses to the last value alone: as text, the engine
	# reports the repeated key rather than reading the document without the first.
	values.parse_document(text).error
	json.is_valid(text)
} else := _object_document(json.unmarshal(text)) if {
	json.is_valid(text)
	is_object(json.unmarshal(text))
} else := {"document": text} if {
	json.is_valid(text)
} else := {"unknown": _not_json}

_not_json := concat(" ", [
	"is text that is not JSON:",
	"the argument of a short-form tag such as !ImportValue, known only at deploy time",
])

# `!Ref Parameter` and `!GetAtt Resource.Attribute` as conftest's YAML parser leaves them.
_short_form_reference(text) if text in object.keys(_parameters)

_short_form_reference(text) if _ref_id(text)

# The placeholders of the text whose value could hold a quote, sorted. The pseudo parameters
# listed here cannot; "${!Name}" is Fn::Sub's escape for the literal "${Name}".
_substituted(text) := sort({placeholder |
	some placeholder in regex.find_n(_placeholder, text, -1)
	not placeholder in _quote_free
	not startswith(placeholder, "${!")
})

_quote_free := {
	"${AWS::AccountId}", "${AWS::Partition}", "${AWS::Region}",
	"${AWS::StackId}", "${AWS::StackName}", "${AWS::URLSuffix}",
}

_verb(1) := "is"

_verb(n) := "are" if n != 1
