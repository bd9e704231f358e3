package io.whispyrkeep.platform.http;

import io.whispyrkeep.platform.problem.ProblemType;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Documents in every service's OpenAPI what the platform answers on every endpoint: an RFC 9457
 * {@code Problem} schema (with the stable {@code type} URIs of {@link ProblemType}) and the error
 * responses any operation can give (400, 401, 403, 413, 429, 500, 503), added where the operation
 * does not document them itself. Endpoint-specific outcomes (404, 409...) stay on the resources.
 */
public class ProblemResponsesFilter implements OASFilter {

  static final String PROBLEM_JSON = "application/problem+json";

  private static final Map<String, String> COMMON =
      Map.of(
          "400", "The request is not valid (problem types validation-failed, malformed-json).",
          "401", "No valid bearer token (problem type unauthorized).",
          "403", "The token does not allow this (problem type forbidden).",
          "413", "The request body is too large (problem type payload-too-large).",
          "429", "Too many requests; see Retry-After (problem type rate-limited).",
          "500", "Unexpected error; no internals disclosed (problem type internal-error).",
          "503", "A dependency is down or saturated; see Retry-After (service-unavailable).");

  @Override
  public void filterOpenAPI(OpenAPI openApi) {
    if (openApi.getComponents() == null) {
      openApi.setComponents(OASFactory.createComponents());
    }
    openApi.getComponents().addSchema("Problem", problemSchema());
    if (openApi.getPaths() == null || openApi.getPaths().getPathItems() == null) {
      return;
    }
    openApi
        .getPaths()
        .getPathItems()
        .values()
        .forEach(
            item -> {
              if (item.getOperations() != null) {
                item.getOperations().values().forEach(ProblemResponsesFilter::addCommonResponses);
              }
            });
  }

  private static void addCommonResponses(Operation operation) {
    APIResponses responses = operation.getResponses();
    if (responses == null) {
      responses = OASFactory.createAPIResponses();
      operation.setResponses(responses);
    }
    for (Map.Entry<String, String> common : COMMON.entrySet()) {
      if (responses.getAPIResponse(common.getKey()) == null) {
        responses.addAPIResponse(
            common.getKey(),
            OASFactory.createAPIResponse().description(common.getValue()).content(problem()));
      }
    }
  }

  private static Content problem() {
    return OASFactory.createContent()
        .addMediaType(
            PROBLEM_JSON,
            OASFactory.createMediaType()
                .schema(OASFactory.createSchema().ref("#/components/schemas/Problem")));
  }

  private static Schema problemSchema() {
    Schema text = OASFactory.createSchema().addType(Schema.SchemaType.STRING);
    StringBuilder platformTypes = new StringBuilder();
    for (ProblemType problem : ProblemType.values()) {
      platformTypes.append(platformTypes.isEmpty() ? "" : ", ").append(problem.uri());
    }
    Schema type =
        OASFactory.createSchema()
            .addType(Schema.SchemaType.STRING)
            .format("uri")
            .description(
                "Stable problem type under "
                    + ProblemType.BASE_URI
                    + "; every service answers the platform's ("
                    + platformTypes
                    + ") and documents its own on its operations.");
    return OASFactory.createSchema()
        .addType(Schema.SchemaType.OBJECT)
        .description("RFC 9457 problem details; type is stable, detail is for people.")
        .addProperty("type", type)
        .addProperty("title", text)
        .addProperty("status", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER))
        .addProperty("detail", text)
        .addProperty("instance", text)
        .addProperty("requestId", text)
        .addProperty(
            "error",
            OASFactory.createSchema()
                .addType(Schema.SchemaType.STRING)
                .description(
                    "On OAuth endpoints only: the RFC 6749 error code (invalid_request,"
                        + " invalid_client, invalid_grant, unauthorized_client,"
                        + " unsupported_grant_type, invalid_scope, invalid_target)."))
        .addProperty(
            "errors",
            OASFactory.createSchema()
                .addType(Schema.SchemaType.ARRAY)
                .items(
                    OASFactory.createSchema()
                        .addType(Schema.SchemaType.OBJECT)
                        .addProperty("field", text)
                        .addProperty("message", text)));
  }
}
