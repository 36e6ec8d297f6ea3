"""Everything that imports PySide6, pyqtgraph or OpenGL, in packages by role.

    window/    the main window, its menus, the wiring (the one place that connects
               controls, views and the model), playback, settings, app start
    controls/  the panels that change the model
    views/     contour map, 3-D surface, loss curve, data: they only draw the model
    render/    the views drawn off-screen into frames for export (headless too)
    dialogs/   file choosers, messages, help, the export dialogs
    style/     the views' colours (themes) and the widgets' style

See docs/architecture.md.
"""
