"""Where models come from: spec files, the live catalog, snapshots, migrations."""
