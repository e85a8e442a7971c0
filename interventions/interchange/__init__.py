"""The interchange format (interventions-v1, the shared schema in interventions/schema/), one job per module:
`mapping` (where each value of a record is kept in the models), `validation`, `importer` and `exporter`."""
