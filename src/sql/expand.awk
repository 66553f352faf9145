# Expands each "--@enum NAME" line of an install script into the SQL objects
# of an enumeration type, from the one template (-v template=FILE).
BEGIN {
	while ((getline line < template) > 0)
		tmpl = tmpl line "\n"
	close(template)
}
/^--@enum [a-z_]+$/ {
	out = tmpl
	gsub(/@TYPE@/, $2, out)
	printf "%s", out
	next
}
{ print }
