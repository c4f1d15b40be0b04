import sharp from 'sharp'

export type DemoPhoto = 'damage' | 'packaging' | 'contents' | 'pod'

const palette = ['#b08055', '#a8774c', '#c19066', '#9c6b40']

/** A drawn stand-in for a customer's phone photo (a dented parcel, torn tape, the contents, a doorstep), as a JPEG. */
export function demoPhoto(kind: DemoPhoto, seed: number): Promise<Buffer> {
  const box = palette[seed % palette.length]
  const tilt = (seed % 7) - 3
  const scene: Record<DemoPhoto, string> = {
    damage: `<g transform="rotate(${tilt} 400 300)">
        <polygon points="200,180 600,180 640,460 170,470" fill="${box}" stroke="#5a3b1f" stroke-width="6"/>
        <polyline points="380,180 420,260 360,330 430,420 400,470" fill="none" stroke="#3d2611" stroke-width="9"/>
        <ellipse cx="520" cy="330" rx="70" ry="45" fill="#6e4a2a" opacity="0.7"/>
        <rect x="230" y="210" width="150" height="70" fill="#f4f1ea" stroke="#333" stroke-width="2"/>
      </g>`,
    packaging: `<g transform="rotate(${tilt} 400 300)">
        <rect x="170" y="160" width="460" height="300" fill="${box}" stroke="#5a3b1f" stroke-width="6"/>
        <rect x="380" y="160" width="40" height="300" fill="#d9c9a3" opacity="0.9"/>
        <polyline points="380,250 350,230 330,260 300,240" fill="none" stroke="#d9c9a3" stroke-width="14"/>
        <path d="M 540 160 L 630 250 L 630 160 Z" fill="#6e4a2a"/>
      </g>`,
    contents: `<g transform="rotate(${tilt} 400 300)">
        <rect x="150" y="140" width="500" height="330" rx="12" fill="#2f3e4e"/>
        <rect x="190" y="180" width="420" height="250" rx="8" fill="#405a73"/>
        <polyline points="260,200 330,300 300,340 400,420" fill="none" stroke="#e8eef4" stroke-width="4"/>
        <polyline points="330,300 420,280 470,330" fill="none" stroke="#e8eef4" stroke-width="3"/>
      </g>`,
    pod: `<rect x="0" y="380" width="800" height="220" fill="#7d7466"/>
      <rect x="260" y="60" width="280" height="330" fill="#5b3a29" stroke="#2b1b12" stroke-width="8"/>
      <circle cx="500" cy="230" r="10" fill="#d4af37"/>
      <rect x="300" y="400" width="200" height="120" fill="${box}" stroke="#5a3b1f" stroke-width="5"/>`,
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">
    <rect width="800" height="600" fill="${kind === 'pod' ? '#9fb3c8' : '#e6e1d8'}"/>
    ${scene[kind]}
  </svg>`
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer()
}
