# Expands each "--@enum NAME" line of an install script into the SQL objects
# of an enumeration type, from the one template (-v template=FILE).
# With -v drop_guard=1, leaves out everything up to and including the psql
# guard line (\echo ... \quit), to append an upgrade step to an install script.
BEGIN {
	skipping = drop_guard
	while ((getline line < template) > 0)
		tmpl = tmpl line "\n"
	close(template)
}
skipping {
	if ($0 ~ /^\\echo /)
		skipping = 0
	next
}
/^--@enum [a-z_]+$/ {
	out = tmpl
	gsub(/@TYPE@/, $2, out)
	printf "%s", out
	next
}
{ print }
