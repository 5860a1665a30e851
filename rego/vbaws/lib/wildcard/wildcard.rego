# METADATA
# description: |
#   IAM wildcard matching. IAM knows only `*` (any run of characters) and `?` (one character);
#   every other character is literal, so glob syntax such as `[` or `{` is escaped before it
#   reaches glob.match, and no delimiters are used.
package vbaws.lib.wildcard

# METADATA
# scope: document
# description: True when the IAM pattern contains a wildcard.
has_wildcard(pattern) if contains(pattern, "*")

has_wildcard(pattern) if contains(pattern, "?")

# METADATA
# description: Case-sensitive IAM wildcard match of a whole string.
matches(pattern, value) if glob.match(_escape(pattern), null, value)

# METADATA
# description: Case-insensitive IAM wildcard match, as IAM compares action names.
matches_ignore_case(pattern, value) if glob.match(_escape(lower(pattern)), null, lower(value))

_escape(pattern) := strings.replace_n(
	{"\\": "\\\\", "[": "\\[", "]": "\\]", "{": "\\{", "}": "\\}"},
	pattern,
)
