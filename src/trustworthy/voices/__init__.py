"""Consultations and responses from young people, families and others an innovation affects."""
