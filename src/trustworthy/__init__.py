"""Trustworthy Innovation: ethical appraisal of innovation in children's social care."""
