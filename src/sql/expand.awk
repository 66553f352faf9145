# Expands each "--@TEMPLATE NAME" line of an install or upgrade script into
# the SQL objects of one type, from the template src/sql/TEMPLATE.sql.in
# (-v dir=src/sql) with @TYPE@ replaced by NAME:
#   --@enum NAME            an enumeration type (enum_type.sql.in)
#   --@state_support NAME   merge and subtract of a state type
# With -v drop_guard=1, leaves out everything up to and including the psql
# guard line (\echo ... \quit), to append an upgrade step to an install script.
BEGIN {
	skipping = drop_guard
}
function template(name,    file, line, text) {
	if (name in cache)
		return cache[name]
	file = dir "/" (name == "enum" ? "enum_type" : name) ".sql.in"
	while ((getline line < file) > 0)
		text = text line "\n"
	if (text == "") {
		printf "expand.awk: no template %s\n", file > "/dev/stderr"
		exit 1
	}
	close(file)
	cache[name] = text
	return text
}
skipping {
	if ($0 ~ /^\\echo /)
		skipping = 0
	next
}
/^--@[a-z_]+ [a-z_]+$/ {
	out = template(substr($1, 4))
	gsub(/@TYPE@/, $2, out)
	printf "%s", out
	next
}
{ print }
