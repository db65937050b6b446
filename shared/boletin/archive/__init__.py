"""`boletin import`: bring an office's archive in through the public API.

One job per module: `items` (what an archive yields), `dates` (dates in the four languages),
`newspage`, `feeds`, `tabular` (the formats), `formats` (detection and reading a source),
`client` (HTTP with pacing and retries), `progress`, `report`, `importer` (the run) and `cli`.
"""
