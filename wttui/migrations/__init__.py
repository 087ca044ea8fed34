"""Migration tools: one adapter per tool behind `base.MigrationTool`; the built-in SQL runner."""
