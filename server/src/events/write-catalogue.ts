import { writeFileSync } from 'node:fs'
import { modules } from '../registry.js'
import { catalogueFile, eventCatalogueDocument } from './catalogue.js'

// `npm run events:doc`: writes docs/events.md from the modules' event declarations.
writeFileSync(catalogueFile, eventCatalogueDocument(modules))
