"""Partner institutions (合作机构): banks and city/county guarantee companies, their admission, status and
evaluations."""
