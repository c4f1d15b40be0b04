import { hash, verify } from '@node-rs/argon2'

// argon2id with OWASP's recommended floor (19 MiB, 2 passes).
const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 }

export const hashPassword = (password: string): Promise<string> => hash(password, options)

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password)
  } catch {
    return false
  }
}

// A fixed hash to verify against when the email is unknown, so timing does not reveal which emails exist.
let decoy: Promise<string> | undefined
export const decoyHash = (): Promise<string> => (decoy ??= hashPassword('claimdesk-decoy-password'))

export const passwordRules = { minLength: 10, maxLength: 256 }
