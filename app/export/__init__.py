"""Document builders: records loaded by the services in, python-docx documents out."""
