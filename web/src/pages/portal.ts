// The customer portal's operations: a portal user (role customer_portal) follows its customer's projects.
import { graphql } from '@/gql'

export const PortalProjects = graphql(`
  query PortalProjects {
    guaranteePortalProjects { id projectNo productName amount termMonths purpose status progress currentStep createdAt }
  }
`)

export const PortalProject = graphql(`
  query PortalProject($id: ID!) {
    guaranteePortalProject(id: $id) {
      id projectNo productName amount termMonths purpose status progress currentStep createdAt
      milestones { key label reached on result }
    }
  }
`)

export const PortalLetter = graphql(`
  query PortalLetter($projectId: ID!) {
    guaranteePortalLetter(projectId: $projectId) { filename contentType size sha256 contentBase64 }
  }
`)
