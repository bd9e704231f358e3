{{/*
whispyrkeep.services: the four services in a fixed order, as "key:name:port" (key in .Values.services).
Resource names are the services' own names (auth-service, ...), which the KafkaUsers and the Vault
role also use: one release per namespace.
*/}}
{{- define "whispyrkeep.services" -}}
auth:auth-service:8081 keyvault:keyvault-service:8082 turn:turn-service:8083 audit:audit-service:8084
{{- end -}}

{{/*
whispyrkeep.fullname: the release's name, for the release-wide objects (Ingress, NetworkPolicies).
*/}}
{{- define "whispyrkeep.fullname" -}}
{{- printf "%s-whispyrkeep" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
whispyrkeep.labels: labels on every object. Call with (dict "root" $ "name" "<service>") or with
the root context for release-wide objects.
*/}}
{{- define "whispyrkeep.labels" -}}
{{- $root := .root | default . -}}
helm.sh/chart: {{ printf "%s-%s" $root.Chart.Name $root.Chart.Version }}
app.kubernetes.io/part-of: whispyrkeep
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}
{{- if .name }}
app.kubernetes.io/name: {{ .name }}
{{- end }}
{{- end -}}

{{/*
whispyrkeep.selectorLabels: the immutable selector of one service's pods. Call with
(dict "root" $ "name" "<service>").
*/}}
{{- define "whispyrkeep.selectorLabels" -}}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/name: {{ .name }}
{{- end -}}

{{/*
whispyrkeep.image: registry/repository@digest; tags are never used.
*/}}
{{- define "whispyrkeep.image" -}}
{{- printf "%s/%s@%s" .root.Values.imageRegistry .svc.image.repository .svc.image.digest -}}
{{- end -}}

{{/*
whispyrkeep.validate: every cross-field rule the schema cannot express, collected and reported
in one failure so an operator fixes them all at once.
*/}}
{{- define "whispyrkeep.validate" -}}
{{- $errors := list -}}
{{- range $entry := splitList " " (include "whispyrkeep.services" .) -}}
{{- $key := index (splitList ":" $entry) 0 -}}
{{- $svc := index $.Values.services $key -}}
{{- if $svc.autoscaling.enabled -}}
{{- if gt (int $svc.autoscaling.minReplicas) (int $svc.autoscaling.maxReplicas) -}}
{{- $errors = append $errors (printf "services.%s.autoscaling.minReplicas (%v) is above maxReplicas (%v)" $key $svc.autoscaling.minReplicas $svc.autoscaling.maxReplicas) -}}
{{- end -}}
{{- if ge (int $svc.pdbMinAvailable) (int $svc.autoscaling.minReplicas) -}}
{{- $errors = append $errors (printf "services.%s.pdbMinAvailable (%v) must be below autoscaling.minReplicas (%v), or no node could ever be drained" $key $svc.pdbMinAvailable $svc.autoscaling.minReplicas) -}}
{{- end -}}
{{- else if ge (int $svc.pdbMinAvailable) (int $svc.replicaCount) -}}
{{- $errors = append $errors (printf "services.%s.pdbMinAvailable (%v) must be below replicaCount (%v), or no node could ever be drained" $key $svc.pdbMinAvailable $svc.replicaCount) -}}
{{- end -}}
{{- end -}}
{{- if and .Values.ingress.enabled (not .Values.ingress.tlsSecretName) -}}
{{- $errors = append $errors "ingress.tlsSecretName is required when the Ingress is enabled (TLS only)" -}}
{{- end -}}
{{- if and (hasPrefix "http://" .Values.frontendOrigin) (not (regexMatch "^http://(127\\.0\\.0\\.1|localhost)(:[0-9]+)?$" .Values.frontendOrigin)) -}}
{{- $errors = append $errors (printf "frontendOrigin %s must be https (plain http only for 127.0.0.1 or localhost)" .Values.frontendOrigin) -}}
{{- end -}}
{{- if $errors -}}
{{- fail (printf "\ninvalid values:\n- %s" (join "\n- " $errors)) -}}
{{- end -}}
{{- end -}}
