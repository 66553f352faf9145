# Assembles an install or upgrade script from its source in src/sql
# (-v dir=src/sql):
#   --@TEMPLATE NAME        the SQL objects of one type, from the template
#                           TEMPLATE.sql.in with @TYPE@ replaced by NAME:
#                           --@enum NAME (enum_type.sql.in), an enumeration
#                           type; --@state_support NAME, the merge functions
#                           of a state type
#   --@include FILE         FILE.sql.in as it is
#   --@upgrade-only ... --@end, --@fresh-only ... --@end
#                           lines kept only in an upgrade step (the default,
#                           -v mode=upgrade) or only in the install script of
#                           the current version (-v mode=fresh): a fresh
#                           install creates objects in their final form, where
#                           an upgrade step has to change the ones it finds
# With -v drop_guard=1, leaves out everything up to and including the psql
# guard line (\echo ... \quit), to append an upgrade step to an install script.
BEGIN {
	skipping = drop_guard
	if (mode == "")
		mode = "upgrade"
}
function read_file(name,    file, line, text) {
	file = dir "/" name ".sql.in"
	while ((getline line < file) > 0)
		text = text line "\n"
	close(file)
	if (text == "") {
		printf "expand.awk: no file %s\n", file > "/dev/stderr"
		exit 1
	}
	return text
}
function template(name) {
	if (!(name in cache))
		cache[name] = read_file(name == "enum" ? "enum_type" : name)
	return cache[name]
}
skipping {
	if ($0 ~ /^\\echo /)
		skipping = 0
	next
}
/^--@upgrade-only$/ { section = "upgrade"; next }
/^--@fresh-only$/ { section = "fresh"; next }
/^--@end$/ { section = ""; next }
section != "" && section != mode { next }
/^--@include [a-z0-9_]+$/ {
	printf "%s", read_file($2)
	next
}
/^--@[a-z_]+ [a-z_]+$/ {
	out = template(substr($1, 4))
	gsub(/@TYPE@/, $2, out)
	printf "%s", out
	next
}
{ print }
