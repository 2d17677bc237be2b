"""PDFs of records and case summaries (ReportLab), signed with PAdES (pyHanko), and checking
them.  Layouts take plain data (``cse_desktop.pdf.model``); the services layer gathers it.
Everything happens in memory: no temporary files.
"""

from cse_desktop.pdf.fingerprint import content_sha256, qr_payload
from cse_desktop.pdf.record_pdf import render_record
from cse_desktop.pdf.signing import sign_pdf
from cse_desktop.pdf.summary_pdf import render_summary
from cse_desktop.pdf.verify import Verdict, VerificationResult, verify_pdf_bytes

__all__ = [
    "Verdict",
    "VerificationResult",
    "content_sha256",
    "qr_payload",
    "render_record",
    "render_summary",
    "sign_pdf",
    "verify_pdf_bytes",
]
