# METADATA
# description: |
#   Normalises the loose shapes IAM JSON arrives in: single values or lists, and policy
#   documents given as objects, JSON strings or URL-encoded JSON strings (as the raw IAM API
#   returns them). Every other package reads IAM values through these helpers.
package vbaws.lib.values

# METADATA
# scope: document
# description: A single value or a list, as a list; null or a missing value gives an empty list.
as_list(x) := x if {
	is_array(x)
} else := [] if {
	is_null(x)
} else := [x]

# METADATA
# scope: document
# description: |
#   Parses a policy document. Returns {"document": object} when it is an object, a JSON
#   string or a URL-encoded JSON string of an object, otherwise {"error": reason}.
parse_document(doc) := {"document": doc} if {
	is_object(doc)
} else := _parse_string(doc) if {
	is_string(doc)
} else := {"error": "document is missing"} if {
	is_null(doc)
} else := {"error": sprintf("document is a %s, not a JSON object or string", [type_name(doc)])}

_parse_string(doc) := _read_once(doc, parsed) if {
	parsed := _json_object(doc)
} else := _read_once(decoded, parsed) if {
	# IAM encodes documents per RFC 3986 (a space is %20), so "+" is a plus sign (IAM names
	# may hold one), which urlquery.decode would read as a space, as form encoding does.
	decoded := urlquery.decode(replace(doc, "+", "%2B"))
	parsed := _json_object(decoded)
} else := _read_once(decoded, parsed) if {
	decoded := urlquery.decode(doc)
	parsed := _json_object(decoded)
} else := {"error": "document is a string that is neither JSON nor URL-encoded JSON of an object"}

_json_object(s) := parsed if {
	json.is_valid(s)
	parsed := json.unmarshal(s)
	is_object(parsed)
}

# JSON text that names a key twice in one object parses to its last value alone, so a
# second "Condition" would silently drop the first: such a document is refused, as the
# harness refuses such an object in its input files. Every key of the text is one of its
# strings followed by a colon; the text names a key twice exactly when it has more of
# them than the parsed document has keys.
_read_once(text, parsed) := {"document": parsed} if {
	count(_text_keys(text)) == count(_parsed_keys(parsed))
} else := {"error": sprintf("document is JSON text that names %s twice in one object", [_named(_repeated(
	_text_keys(text),
	_parsed_keys(parsed),
))])}

_named([key]) := sprintf("%q", [key])

# Keys of the dropped value that the document also has elsewhere cannot be told from the
# repeated key, so every candidate is named (a dozen at most).
_named(keys) := concat("", ["one of ", concat(", ", array.concat(
	[sprintf("%q", [key]) | some key in array.slice(keys, 0, 12)],
	[sprintf("%d more", [count(keys) - 12]) | count(keys) > 12],
))]) if {
	count(keys) != 1
}

# The strings of the text in order (one regex match each, so a match always starts at an
# opening quote), those followed by a colon decoded as keys.
_text_keys(text) := [json.unmarshal(trim_right(token, ": \t\n\r")) |
	some token in regex.find_n(`"(?:[^"\\]|\\.)*"\s*:?`, text, -1)
	endswith(token, ":")
]

_parsed_keys(parsed) := [key | walk(parsed, [_, value]); is_object(value); some key, _ in value]

# A repeated key keeps its last value, so it is still in the parsed document; keys that
# were only inside the value it dropped are not, and are not named.
_repeated(text_keys, parsed_keys) := sort({key |
	some key in parsed_keys
	count([k | some k in text_keys; k == key]) > count([k | some k in parsed_keys; k == key])
})

# METADATA
# description: The 12-digit account id of an IAM/STS ARN, undefined for anything else.
arn_account(arn) := account if {
	is_string(arn)
	parts := split(arn, ":")
	count(parts) >= 6
	parts[0] == "arn"
	account := parts[4]
	regex.match(`^[0-9]{12}$`, account)
}
