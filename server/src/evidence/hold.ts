// Legal holds are retention's: a held case (or a case of a held customer) keeps its evidence.
export { assertNotHeld, isHeld } from '../retention/index.js'
