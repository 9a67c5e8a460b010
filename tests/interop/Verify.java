/*
 * Verify.java: an independent verifier for simpul's signed documents on the
 * JDK's javax.xml.crypto.dsig (JSR 105), for the interop test.
 *
 *   java -cp DIR Verify CA.pem FILE...
 *
 * Parses with DOCTYPE disallowed, requires exactly one ds:Signature as the
 * root's last element child, validates with secure validation on, then
 * checks one Reference URI="" with exactly enveloped-signature + exc-c14n,
 * SHA-256, RSA-SHA256 or ECDSA-SHA256, and that the KeyInfo certificate
 * chains to the CA (PKIX, no revocation: the CLI tools have no CRL either).
 * Prints "FILE: OK" per file; exits 1 at the first refusal.
 */
import java.io.File;
import java.io.FileInputStream;
import java.security.Key;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import javax.xml.crypto.AlgorithmMethod;
import javax.xml.crypto.KeySelector;
import javax.xml.crypto.KeySelectorException;
import javax.xml.crypto.KeySelectorResult;
import javax.xml.crypto.XMLCryptoContext;
import javax.xml.crypto.dsig.CanonicalizationMethod;
import javax.xml.crypto.dsig.DigestMethod;
import javax.xml.crypto.dsig.Reference;
import javax.xml.crypto.dsig.SignatureMethod;
import javax.xml.crypto.dsig.Transform;
import javax.xml.crypto.dsig.XMLSignature;
import javax.xml.crypto.dsig.XMLSignatureFactory;
import javax.xml.crypto.dsig.dom.DOMValidateContext;
import javax.xml.crypto.dsig.keyinfo.KeyInfo;
import javax.xml.crypto.dsig.keyinfo.X509Data;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

public class Verify {
	static final String ECDSA_SHA256 =
	    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";

	/* The key of the one X509Certificate, after it chains to the CA. */
	static class ChainSelector extends KeySelector {
		final X509Certificate ca;

		ChainSelector(X509Certificate ca) { this.ca = ca; }

		public KeySelectorResult select(KeyInfo ki, Purpose p,
		    AlgorithmMethod m, XMLCryptoContext c)
		    throws KeySelectorException {
			List<?> items = ki.getContent();
			if (items.size() != 1 || !(items.get(0) instanceof X509Data))
				throw new KeySelectorException("KeyInfo is not one X509Data");
			List<?> xs = ((X509Data)items.get(0)).getContent();
			if (xs.size() != 1 || !(xs.get(0) instanceof X509Certificate))
				throw new KeySelectorException("X509Data is not one certificate");
			X509Certificate cert = (X509Certificate)xs.get(0);
			try {
				CertificateFactory cf = CertificateFactory.getInstance("X.509");
				PKIXParameters params = new PKIXParameters(
				    Collections.singleton(new TrustAnchor(ca, null)));
				params.setRevocationEnabled(false);
				CertPathValidator.getInstance("PKIX").validate(
				    cf.generateCertPath(List.of(cert)), params);
			} catch (Exception e) {
				throw new KeySelectorException("certificate: " + e.getMessage());
			}
			final Key key = cert.getPublicKey();
			return () -> key;
		}
	}

	static void fail(String file, String why) {
		System.err.println(file + ": REFUSED: " + why);
		System.exit(1);
	}

	public static void main(String[] args) throws Exception {
		CertificateFactory cf = CertificateFactory.getInstance("X.509");
		X509Certificate ca;
		try (FileInputStream in = new FileInputStream(args[0])) {
			ca = (X509Certificate)cf.generateCertificate(in);
		}
		DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
		dbf.setNamespaceAware(true);
		dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
		dbf.setExpandEntityReferences(false);
		XMLSignatureFactory fac = XMLSignatureFactory.getInstance("DOM");
		for (int i = 1; i < args.length; i++) {
			String file = args[i];
			Document doc;
			try {
				doc = dbf.newDocumentBuilder().parse(new File(file));
			} catch (Exception e) {
				fail(file, "parse: " + e.getMessage());
				return;
			}
			NodeList sigs = doc.getElementsByTagNameNS(XMLSignature.XMLNS, "Signature");
			if (sigs.getLength() != 1)
				fail(file, sigs.getLength() + " signatures");
			Node sig = sigs.item(0);
			Element root = doc.getDocumentElement();
			Node last = root.getLastChild();
			while (last != null && last.getNodeType() != Node.ELEMENT_NODE)
				last = last.getPreviousSibling();
			if (sig.getParentNode() != root || last != sig)
				fail(file, "signature is not the root's last child");
			DOMValidateContext vc = new DOMValidateContext(new ChainSelector(ca), sig);
			vc.setProperty("org.jcp.xml.dsig.secureValidation", Boolean.TRUE);
			XMLSignature s = fac.unmarshalXMLSignature(vc);
			String cm = s.getSignedInfo().getCanonicalizationMethod().getAlgorithm();
			String sm = s.getSignedInfo().getSignatureMethod().getAlgorithm();
			if (!CanonicalizationMethod.EXCLUSIVE.equals(cm))
				fail(file, "canonicalization " + cm);
			if (!SignatureMethod.RSA_SHA256.equals(sm) && !ECDSA_SHA256.equals(sm))
				fail(file, "signature method " + sm);
			List<?> refs = s.getSignedInfo().getReferences();
			if (refs.size() != 1)
				fail(file, refs.size() + " references");
			Reference ref = (Reference)refs.get(0);
			if (!"".equals(ref.getURI()))
				fail(file, "reference URI " + ref.getURI());
			if (!DigestMethod.SHA256.equals(ref.getDigestMethod().getAlgorithm()))
				fail(file, "digest " + ref.getDigestMethod().getAlgorithm());
			List<?> ts = ref.getTransforms();
			if (ts.size() != 2 ||
			    !Transform.ENVELOPED.equals(((Transform)ts.get(0)).getAlgorithm()) ||
			    !CanonicalizationMethod.EXCLUSIVE.equals(((Transform)ts.get(1)).getAlgorithm()))
				fail(file, "transforms");
			boolean ok;
			try {
				ok = s.validate(vc);
			} catch (Exception e) {
				fail(file, "validate: " + e.getMessage());
				return;
			}
			if (!ok)
				fail(file, "signature value " + s.getSignatureValue().validate(vc) +
				    ", reference " + ref.validate(vc));
			System.out.println(file + ": OK");
		}
	}
}
