import { writeFileSync } from 'node:fs'
import { modules } from '../registry.js'
import { catalogueFile, renderEventCatalogue } from './catalogue.js'

// `npm run events:doc`: writes docs/events.md from the modules' event declarations.
writeFileSync(catalogueFile, renderEventCatalogue(modules))
