import { PDFDocument, type PDFFont, type PDFPage, StandardFonts, rgb } from 'pdf-lib'

// A plain A4 document written top to bottom: headings, lines that wrap, and a new page when one is full. The
// standard fonts encode WinAnsi only, so any other character is written as '?'.

const pageSize: [number, number] = [595.28, 841.89]
const margin = 48

const pdfSafe = (text: string) => text.replace(/[\r\n\t]+/g, ' ').replace(/[^\x20-\x7e\xa0-\xff]/g, '?')

export class PdfWriter {
  private page!: PDFPage
  private y = 0
  private constructor(
    readonly doc: PDFDocument,
    private readonly font: PDFFont,
    private readonly bold: PDFFont,
  ) {
    this.newPage()
  }

  static async create(title: string): Promise<PdfWriter> {
    const doc = await PDFDocument.create()
    doc.setTitle(pdfSafe(title))
    doc.setProducer('Claimdesk')
    // Fixed dates: the same case gives the same bytes, so a pack's checksum means something.
    doc.setCreationDate(new Date(0))
    doc.setModificationDate(new Date(0))
    return new PdfWriter(
      doc,
      await doc.embedFont(StandardFonts.Helvetica),
      await doc.embedFont(StandardFonts.HelveticaBold),
    )
  }

  private newPage() {
    this.page = this.doc.addPage(pageSize)
    this.y = pageSize[1] - margin
  }

  private room(height: number) {
    if (this.y - height < margin) this.newPage()
  }

  heading(text: string, size = 14) {
    this.room(size + 12)
    this.y -= size + 8
    this.page.drawText(pdfSafe(text), { x: margin, y: this.y, size, font: this.bold })
    this.y -= 4
  }

  /** One paragraph, wrapped to the page width. */
  line(text: string, size = 9, indent = 0) {
    const width = pageSize[0] - 2 * margin - indent
    const words = pdfSafe(text).split(' ')
    let current = ''
    const flush = () => {
      this.room(size + 3)
      this.y -= size + 3
      this.page.drawText(current, { x: margin + indent, y: this.y, size, font: this.font, color: rgb(0, 0, 0) })
      current = ''
    }
    for (const word of words) {
      const next = current ? `${current} ${word}` : word
      if (current && this.font.widthOfTextAtSize(next, size) > width) {
        flush()
        current = word
      } else current = next
    }
    if (current) flush()
  }

  /** Label and value on one line (the value wraps). */
  field(label: string, value: string | null | undefined) {
    this.line(`${label}: ${value ?? '-'}`)
  }

  gap(height = 6) {
    this.y -= height
  }

  async bytes(): Promise<Buffer> {
    return Buffer.from(await this.doc.save())
  }
}
