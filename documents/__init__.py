"""Documents (Văn bản).

What a document is: the 29 Decree 30 types, drafts and their versions, attachments (bytes in the
blob store through Django's storage API), registers (sổ) and gap-free numbering, relations between
documents (reply to, replaces, references), and rendering to PDF (WeasyPrint) and DOCX. Filled by the
outgoing-dispatch issue.
"""
