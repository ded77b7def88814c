"""`devtool init`: start an engine workspace in a project, from the engine devtool ships."""
