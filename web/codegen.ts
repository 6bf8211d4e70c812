import type { CodegenConfig } from '@graphql-codegen/cli'

// Typed operations from the committed SDL (../graphql/schema.graphql). The output (src/gql/) is generated at build
// time and not committed; `vue-tsc --noEmit` then checks every page against it, so a schema change that breaks a
// page fails `make web`.
const config: CodegenConfig = {
  schema: '../graphql/schema.graphql',
  documents: ['src/**/*.ts', '!src/gql/**/*'],
  ignoreNoDocuments: false,
  generates: {
    './src/gql/': {
      preset: 'client',
      config: {
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { Decimal: 'string', Date: 'string', DateTime: 'string', JSON: 'unknown', Upload: 'File' },
      },
      presetConfig: { fragmentMasking: false },
    },
  },
}
export default config
