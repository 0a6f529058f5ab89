# Read by cpack at packaging time. Each package's Description is its component's: the first
# line is the synopsis, so the project-wide summary must not be put in front of it.
unset(CPACK_PACKAGE_DESCRIPTION_SUMMARY)
