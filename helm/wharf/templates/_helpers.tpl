{{/* Chart name, truncated to the 63 characters a DNS label allows. */}}
{{- define "wharf.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects: release name, plus the chart name unless it already contains it. */}}
{{- define "wharf.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "wharf.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "wharf.labels" -}}
helm.sh/chart: {{ include "wharf.chart" . }}
{{ include "wharf.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "wharf.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wharf.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "wharf.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "wharf.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "wharf.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{- define "wharf.nodeImage" -}}
{{- printf "%s:%s" .Values.node.image.repository (.Values.node.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/*
Secrets: an existing Secret named in the values, else the chart's Secret "<fullname>" for a
value given to the chart, else "<fullname>-generated" (made once at install).
*/}}
{{- define "wharf.generatedSecretName" -}}
{{- printf "%s-generated" (include "wharf.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "wharf.adminSecretName" -}}
{{- if .Values.admin.existingSecret }}{{ .Values.admin.existingSecret }}
{{- else if .Values.admin.password }}{{ include "wharf.fullname" . }}
{{- else }}{{ include "wharf.generatedSecretName" . }}{{ end }}
{{- end }}

{{- define "wharf.adminSecretKey" -}}
{{- if .Values.admin.existingSecret }}{{ .Values.admin.existingSecretKey }}{{ else }}admin-password{{ end }}
{{- end }}

{{- define "wharf.secretsKeySecretName" -}}
{{- if .Values.secretsKey.existingSecret }}{{ .Values.secretsKey.existingSecret }}
{{- else if .Values.secretsKey.value }}{{ include "wharf.fullname" . }}
{{- else }}{{ include "wharf.generatedSecretName" . }}{{ end }}
{{- end }}

{{- define "wharf.secretsKeySecretKey" -}}
{{- if .Values.secretsKey.existingSecret }}{{ .Values.secretsKey.existingSecretKey }}{{ else }}secrets-key{{ end }}
{{- end }}

{{- define "wharf.postgresqlName" -}}
{{- printf "%s-postgresql" (include "wharf.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* JDBC URL: database.url, else the bundled PostgreSQL, else empty (H2 in the data dir). */}}
{{- define "wharf.databaseUrl" -}}
{{- if .Values.database.url }}
{{- .Values.database.url }}
{{- else if .Values.postgresql.enabled }}
{{- printf "jdbc:postgresql://%s:5432/%s" (include "wharf.postgresqlName" .) .Values.postgresql.database }}
{{- end }}
{{- end }}

{{/* Whether the server gets a database password from a Secret. */}}
{{- define "wharf.databaseHasPassword" -}}
{{- if or .Values.database.existingSecret .Values.database.password .Values.postgresql.enabled }}true{{ end }}
{{- end }}

{{- define "wharf.databaseSecretName" -}}
{{- if .Values.database.existingSecret }}{{ .Values.database.existingSecret }}
{{- else if .Values.database.password }}{{ include "wharf.fullname" . }}
{{- else }}{{ include "wharf.generatedSecretName" . }}{{ end }}
{{- end }}

{{- define "wharf.databaseSecretKey" -}}
{{- if .Values.database.existingSecret }}{{ .Values.database.existingSecretPasswordKey }}{{ else }}database-password{{ end }}
{{- end }}

{{- define "wharf.joinTokenSecretName" -}}
{{- .Values.node.joinToken.existingSecret | default (include "wharf.fullname" .) }}
{{- end }}

{{- define "wharf.joinTokenSecretKey" -}}
{{- if .Values.node.joinToken.existingSecret }}{{ .Values.node.joinToken.existingSecretKey }}{{ else }}node-join-token{{ end }}
{{- end }}

{{/* Refuse settings that cannot work, at install time rather than at the pod's start. */}}
{{- define "wharf.validate" -}}
{{- if and (gt (int .Values.server.replicaCount) 1) (not (include "wharf.databaseUrl" .)) }}
{{- fail "server.replicaCount > 1 needs PostgreSQL: set database.url (or postgresql.enabled=true for an evaluation)" }}
{{- end }}
{{- if and .Values.node.enabled (not (or .Values.node.joinToken.existingSecret .Values.node.joinToken.value)) }}
{{- fail "node.enabled=true needs a join token: node.joinToken.existingSecret or node.joinToken.value" }}
{{- end }}
{{- end }}
