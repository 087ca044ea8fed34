"""Migration tools: one adapter per tool behind `base.MigrationTool`, and the built-in SQL runner."""
