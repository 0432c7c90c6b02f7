"""The language server for editors (`adventure lsp`): needs the optional pygls (pip install 'adventure[lsp]')."""
