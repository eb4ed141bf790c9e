"""Desktop palettes the GUI tests set, as a desktop hands them to Qt."""

from PySide6 import QtGui


def dark_palette() -> QtGui.QPalette:
    """A dark desktop's palette, as KDE Breeze Dark or Windows' dark mode hand it to Qt."""
    palette = QtGui.QPalette()
    roles = QtGui.QPalette.ColorRole
    for role, color in ((roles.Window, "#2a2e32"), (roles.WindowText, "#fcfcfc"), (roles.Base, "#1b1e20"),
                        (roles.AlternateBase, "#232629"), (roles.Text, "#fcfcfc"), (roles.Button, "#31363b"),
                        (roles.ButtonText, "#fcfcfc"), (roles.Mid, "#4d5358"), (roles.PlaceholderText, "#a1a9b1")):
        palette.setColor(role, QtGui.QColor(color))
    return palette
