"""HTML onto paper and into PDF files with Qt (QTextDocument, QPdfWriter, QPrinter). No widgets.

The floor between the faces and the services: the window and the CLI hand `QtRenderer()` (and,
after a print dialog, `QtPrintJob(printer)`) to the letter and report use cases in services/.
"""
