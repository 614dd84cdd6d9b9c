# YAML graph loader (owned by the loader work)
